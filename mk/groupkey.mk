# The gate token key derived from a group key (agent/groupkey.c).
AGENT_SRCS += agent/groupkey.c agent/gatestun.c
UNIT_TESTS += groupkey
unit_groupkey_SRCS := tests/unit/test_groupkey.c agent/groupkey.c agent/mikey_prf.c \
		      agent/keyfile.c
unit_groupkey_LIBS := -lcrypto

# Token presentation over STUN (agent/gatestun.c).
GS_DEPS := agent/gatestun.c agent/stun.c agent/addr.c agent/nl.c agent/nlmsg.c \
	   tests/unit/cli_stub.c
UNIT_TESTS += gatestun
unit_gatestun_SRCS := tests/unit/test_gatestun.c $(GS_DEPS)
unit_gatestun_LIBS := -lcrypto -lz -lmnl
FUZZERS += gatestun
fuzz_gatestun_SRCS := tests/fuzz/fuzz_gatestun.c $(GS_DEPS)
fuzz_gatestun_LIBS := -lcrypto -lz -lmnl
