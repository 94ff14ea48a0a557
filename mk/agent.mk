# The agent core: command dispatch, netlink, JSON output, and the shared
# freestanding classifier (kmod/classify.c) it uses to label packets.
AGENT_SRCS += agent/main.c agent/json.c agent/nl.c agent/nlmsg.c agent/addr.c \
	      agent/cmd_sock.c agent/cmd_monitor.c agent/cmd_pair.c agent/daemon.c agent/sigmsg.c agent/crc.c kmod/classify.c
AGENT_SRCS += agent/cmd_gate.c
AGENT_LIBS += -lz -lcrypto

UNIT_TESTS += nlmsg json
unit_nlmsg_SRCS := tests/unit/test_nlmsg.c agent/nlmsg.c
unit_nlmsg_LIBS := -lmnl
unit_json_SRCS := tests/unit/test_json.c agent/json.c
FUZZERS += nlmsg
fuzz_nlmsg_SRCS := tests/fuzz/fuzz_nlmsg.c agent/nlmsg.c
fuzz_nlmsg_LIBS := -lmnl
