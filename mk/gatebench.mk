# Media admission at scale (make bench, bench/gates_bench_guest.sh):
# tests/tools/gatebatch installs many gates per sendmsg and times commits by
# self-verifying token, minted with the agent's OpenSSL code (agent/token.c),
# so it needs more than the generic tool rule in the Makefile gives.
GATEBATCH_SRCS := tests/tools/gatebatch.c agent/nl.c agent/nlmsg.c \
		  agent/token.c agent/keyfile.c kmod/token.c kmod/gate_match.c

$(BUILD)/tools/gatebatch: $(GATEBATCH_SRCS) $(HDRS) | $(BUILD)/tools
	$(CC) $(CFLAGS) -o $@ $(GATEBATCH_SRCS) -lmnl -lcrypto
