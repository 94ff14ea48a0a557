# Media admission (seed 001, RFC 3313): freestanding gate matcher, token
# bucket policer and token format in kmod/ (compiled unchanged by the module,
# the agent, the tests and the fuzzers), the agent's token minting/verifying
# (OpenSSL HMAC-SHA256) and P-Media-Authorization header parser, and
# `mice token`. bench/admission_bench.c times the fast-path calls.
ADM_KMOD := kmod/gate_match.c kmod/policer.c kmod/token.c

AGENT_SRCS += agent/token.c agent/sipauth.c agent/cmd_token.c \
	      kmod/gate_match.c kmod/token.c
AGENT_LIBS += -lcrypto

UNIT_TESTS += gate policer token sipauth
unit_gate_SRCS := tests/unit/test_gate.c kmod/gate_match.c
unit_policer_SRCS := tests/unit/test_policer.c kmod/policer.c
unit_token_SRCS := tests/unit/test_token.c agent/token.c agent/keyfile.c kmod/token.c \
		   kmod/gate_match.c
unit_token_LIBS := -lcrypto
unit_sipauth_SRCS := tests/unit/test_sipauth.c agent/sipauth.c

FUZZERS += token sipauth gate
fuzz_token_SRCS := tests/fuzz/fuzz_token.c agent/token.c agent/keyfile.c kmod/token.c \
		   kmod/gate_match.c
fuzz_token_LIBS := -lcrypto
fuzz_sipauth_SRCS := tests/fuzz/fuzz_sipauth.c agent/sipauth.c
fuzz_gate_SRCS := tests/fuzz/fuzz_gate.c kmod/gate_match.c kmod/policer.c

.PHONY: bench-admission
bench-admission: $(BUILD)/bench/admission_bench
	$(BUILD)/bench/admission_bench

$(BUILD)/bench/admission_bench: bench/admission_bench.c $(ADM_KMOD) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O2 -o $@ bench/admission_bench.c $(ADM_KMOD) -lcrypto
