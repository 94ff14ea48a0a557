# The daemon's log under a flood (issue 14, item 8; docs/security.md,
# "Logs under a flood"): per-reason rate limits of the lines the network
# causes (agent/logrl.c, sans-IO) and a log output that never blocks the
# loop (agent/logsink.c).
AGENT_SRCS += agent/logrl.c agent/logsink.c

UNIT_TESTS += logrl
unit_logrl_SRCS := tests/unit/test_logrl.c agent/logrl.c agent/logsink.c \
		   agent/clock.c
