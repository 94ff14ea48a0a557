// SPDX-License-Identifier: GPL-2.0
/* Per-CPU receive and drop counters, per netns and per socket. */
#include "mice.h"

struct mice_stats __percpu *mice_stats_alloc(void)
{
	struct mice_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu(struct mice_stats);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void mice_stats_count_rx(struct mice_stats __percpu *stats,
			 enum mice_class cls, unsigned int bytes)
{
	struct mice_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rx_packets[cls]);
	u64_stats_add(&s->rx_bytes[cls], bytes);
	u64_stats_update_end(&s->syncp);
}

void mice_stats_count_drop(struct mice_stats __percpu *stats,
			   enum mice_reason reason, unsigned int bytes)
{
	struct mice_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drop_packets[reason]);
	u64_stats_add(&s->drop_bytes[reason], bytes);
	u64_stats_update_end(&s->syncp);
}

void mice_stats_sum(struct mice_stats __percpu *stats,
		    struct mice_stats_sum *sum)
{
	struct mice_stats_sum one;
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct mice_stats *s = per_cpu_ptr(stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __MICE_CLASS_MAX; i++) {
				one.rx_packets[i] = u64_stats_read(&s->rx_packets[i]);
				one.rx_bytes[i] = u64_stats_read(&s->rx_bytes[i]);
			}
			for (i = 0; i < __MICE_REASON_MAX; i++) {
				one.drop_packets[i] = u64_stats_read(&s->drop_packets[i]);
				one.drop_bytes[i] = u64_stats_read(&s->drop_bytes[i]);
			}
		} while (u64_stats_fetch_retry(&s->syncp, start));

		for (i = 0; i < __MICE_CLASS_MAX; i++) {
			sum->rx_packets[i] += one.rx_packets[i];
			sum->rx_bytes[i] += one.rx_bytes[i];
		}
		for (i = 0; i < __MICE_REASON_MAX; i++) {
			sum->drop_packets[i] += one.drop_packets[i];
			sum->drop_bytes[i] += one.drop_bytes[i];
		}
	}
}
