# Relayed candidates through the Home Agent (agent/relay.c, seed 004
# s.1.1 item 3): the MN <-> HA framing of relayed checks, its unit suite
# and fuzzer. The HA and MN sides live in agent/daemon.c.
AGENT_SRCS += agent/relay.c agent/replay.c

UNIT_TESTS += relay
unit_relay_SRCS := tests/unit/test_relay.c agent/relay.c agent/replay.c agent/stun.c \
		   agent/candidate.c
unit_relay_LIBS := -lcrypto -lz
FUZZERS += relay
fuzz_relay_SRCS := tests/fuzz/fuzz_relay.c agent/relay.c agent/replay.c agent/stun.c \
		   agent/candidate.c
fuzz_relay_LIBS := -lcrypto -lz
