# The daemon's control socket (agent/control.c): `mice status` and
# `mice monitor --daemon` connect to it. Its unit suite and the request
# line's fuzzer.
AGENT_SRCS += agent/control.c

UNIT_TESTS += control
unit_control_SRCS := tests/unit/test_control.c agent/control.c agent/json.c
FUZZERS += control
fuzz_control_SRCS := tests/fuzz/fuzz_control.c agent/control.c agent/json.c
