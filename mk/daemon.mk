# The daemon's building blocks: the configuration file (docs/config.md),
# host-candidate gathering and the address watcher over rtnetlink (libmnl),
# the Home Agent's STUN Binding server and server-reflexive discovery
# (seed 004 s.1.1, s.14.2; RFC 8489 s.6.3).
AGENT_SRCS += agent/config.c agent/gather.c agent/stun_server.c agent/srflx.c \
	      agent/cmd_stun.c
AGENT_LIBS += -lmnl -lcrypto -lz -lcap-ng

UNIT_TESTS += config stun_server gather
unit_config_SRCS := tests/unit/test_config.c agent/config.c agent/candidate.c
unit_stun_server_SRCS := tests/unit/test_stun_server.c agent/stun_server.c \
			 agent/srflx.c agent/stun.c agent/stun_txn.c \
			 agent/clock.c agent/candidate.c
unit_stun_server_LIBS := -lcrypto -lz
unit_gather_SRCS := tests/unit/test_gather.c agent/gather.c agent/candidate.c
unit_gather_LIBS := -lmnl

FUZZERS += config
fuzz_config_SRCS := tests/fuzz/fuzz_config.c agent/config.c agent/candidate.c
FUZZERS += gather
fuzz_gather_SRCS := tests/fuzz/fuzz_gather.c agent/gather.c agent/candidate.c
fuzz_gather_LIBS := -lmnl
