# MIKEY (RFC 3830, RFC 4650): PRF and key derivation, message codec,
# PSK and DH-HMAC exchanges, `mice kdf` and `mice mikey`.
MIKEY_CORE := agent/mikey_prf.c agent/mikey.c agent/mikey_exchange.c

AGENT_SRCS += $(MIKEY_CORE) agent/cmd_mikey.c
AGENT_LIBS += -lcrypto

UNIT_TESTS += mikey_prf mikey
unit_mikey_prf_SRCS := tests/unit/test_mikey_prf.c agent/mikey_prf.c
unit_mikey_prf_LIBS := -lcrypto
unit_mikey_SRCS := tests/unit/test_mikey.c $(MIKEY_CORE)
unit_mikey_LIBS := -lcrypto

FUZZERS += mikey
fuzz_mikey_SRCS := tests/fuzz/fuzz_mikey.c $(MIKEY_CORE)
fuzz_mikey_LIBS := -lcrypto

# Benchmark: key derivations, exchanges and the raw OpenSSL primitives.
.PHONY: mikey-bench
mikey-bench: $(BUILD)/bench/mikey_bench
$(BUILD)/bench/mikey_bench: bench/mikey_bench.c $(MIKEY_CORE) $(HDRS)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ bench/mikey_bench.c $(MIKEY_CORE) -lcrypto
