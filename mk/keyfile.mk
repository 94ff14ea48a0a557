# The agent's one loader of secrets (agent/keyfile.c): key files with their
# permission and size rules, or standard input ("-"). Its unit suite.
AGENT_SRCS += agent/keyfile.c
AGENT_LIBS += -lcrypto

UNIT_TESTS += keyfile
unit_keyfile_SRCS := tests/unit/test_keyfile.c agent/keyfile.c
unit_keyfile_LIBS := -lcrypto
FUZZERS += keyfile
fuzz_keyfile_SRCS := tests/fuzz/fuzz_keyfile.c agent/keyfile.c
fuzz_keyfile_LIBS := -lcrypto
