# The sans-IO ICE connectivity-check engine (seed 004 s.7-s.10, RFC 8445,
# RFC 8489, RFC 7675), its simulated-network unit suite and fuzzer.
ICE_AGENT_DEPS := agent/ice_agent.c agent/stun.c agent/stun_txn.c \
		  agent/clock.c agent/candidate.c agent/checklist.c
AGENT_SRCS += agent/ice_agent.c

UNIT_TESTS += ice_agent
unit_ice_agent_SRCS := tests/unit/test_ice_agent.c tests/unit/icesim.c \
		       $(ICE_AGENT_DEPS)
unit_ice_agent_LIBS := -lcrypto -lz

FUZZERS += ice_agent
fuzz_ice_agent_SRCS := tests/fuzz/fuzz_ice_agent.c $(ICE_AGENT_DEPS)
fuzz_ice_agent_LIBS := -lcrypto -lz
