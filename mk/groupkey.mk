# The gate token key derived from a group key (agent/groupkey.c).
AGENT_SRCS += agent/groupkey.c
UNIT_TESTS += groupkey
unit_groupkey_SRCS := tests/unit/test_groupkey.c agent/groupkey.c agent/mikey_prf.c
unit_groupkey_LIBS := -lcrypto
