# The daemon's building blocks: the configuration file (docs/config.md).
AGENT_SRCS += agent/config.c

UNIT_TESTS += config
unit_config_SRCS := tests/unit/test_config.c agent/config.c agent/candidate.c

FUZZERS += config
fuzz_config_SRCS := tests/fuzz/fuzz_config.c agent/config.c agent/candidate.c
