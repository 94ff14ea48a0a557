# ICE benchmarks of M-ICE (bench/ice_bench.sh, docs/benchmarks.md): one
# mice ICE agent on real sockets, the same harness around libnice, and the
# per-session memory of both. Not part of `make all`: the libnice pieces
# need libnice-dev (mk/bench.deps), which `make bench` installs first.
ICEBENCH_COMMON := bench/ice_bench_common.c
ICEBENCH_HDRS := bench/ice_bench_common.h $(HDRS)
# glib's headers are not ours to keep warning-free at our flags.
NICE_CFLAGS = $(shell pkg-config --cflags nice | sed 's/-I/-isystem /g')
NICE_LIBS = $(shell pkg-config --libs nice)

.PHONY: icebench
icebench: $(BUILD)/bench/ice_bench_mice $(BUILD)/bench/ice_bench_nice \
	  $(BUILD)/bench/ice_session_mem $(BUILD)/bench/nfq_delay

$(BUILD)/bench/ice_bench_mice: bench/ice_bench_mice.c $(ICEBENCH_COMMON) \
			       $(ICE_AGENT_DEPS) $(ICEBENCH_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench -o $@ bench/ice_bench_mice.c $(ICEBENCH_COMMON) \
		$(ICE_AGENT_DEPS) -lcrypto -lz

# -rdynamic: the harness's sendmsg()/sendto()/sendmmsg() wrappers must
# interpose on the ones GIO calls, to count what libnice sends.
$(BUILD)/bench/ice_bench_nice: bench/ice_bench_nice.c $(ICEBENCH_COMMON) \
			       $(ICEBENCH_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench $(NICE_CFLAGS) -rdynamic -o $@ \
		bench/ice_bench_nice.c $(ICEBENCH_COMMON) $(NICE_LIBS) -ldl

$(BUILD)/bench/ice_session_mem: bench/ice_session_mem.c $(ICE_AGENT_DEPS) \
				$(ICEBENCH_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(NICE_CFLAGS) -o $@ bench/ice_session_mem.c \
		$(ICE_AGENT_DEPS) $(NICE_LIBS) -lcrypto -lz

# A userspace delay line (NFQUEUE) for kernels without sch_netem.
$(BUILD)/bench/nfq_delay: bench/nfq_delay.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ bench/nfq_delay.c -lmnl
