# M-ICE signalling messages (agent/sigmsg.c): unit suite and fuzzer.
SIG_DEPS := agent/sigmsg.c agent/mh.c agent/mipice.c agent/candidate.c
UNIT_TESTS += sigmsg
unit_sigmsg_SRCS := tests/unit/test_sigmsg.c $(SIG_DEPS)
unit_sigmsg_LIBS := -lcrypto
FUZZERS += sigmsg
fuzz_sigmsg_SRCS := tests/fuzz/fuzz_sigmsg.c $(SIG_DEPS)
fuzz_sigmsg_LIBS := -lcrypto
