# tests/tools/relayforge.c: crafts registrations, relay Send indications
# and offers for the attack suite (tests/attack/test_relay.sh,
# test_ha_peers.sh).
tool_relayforge_SRCS := agent/relay.c agent/replay.c agent/stun.c \
	agent/candidate.c agent/sigmsg.c agent/mh.c agent/mipice.c \
	agent/config.c $(MIKEY_CORE)
tool_relayforge_LIBS := -lcrypto -lz
