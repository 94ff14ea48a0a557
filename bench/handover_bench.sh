#!/bin/bash
# Handover gap (make bench): the full-stack VM test (tests/vm/test_fullstack.sh:
# HA, L and R behind two NATs, a TCP transfer and 10 ms pings across the
# tunnel while L's address changes) run ROUNDS times for each variant, the
# variants interleaved so that a slow stretch of the TCG machine hits all:
#   ta5            Ta 5 ms at both ends (the test's default)
#   ta5-no-early   the same with early-checks off: L checks after the answer
#   ta50           Ta 50 ms (the RFC 8445 default)
#   far-ha         the Home Agent 10 ms away each way (netem on its link):
#                  the signalling round trip is 40 ms longer, the path
#                  between L and R is not
#   far-ha-no-early  the same with early-checks off
#   wan            10 ms on the way out of each NAT (netem): the RTT between
#                  L and R is about 20 ms, as on a wide-area path
#   (wan-no-early, the same with early-checks off, only when asked for in
#   MICE_HANDOVER_VARIANTS)
# Each run prints one "handover:" line; this prints them and the medians.
#
#   gap_from_route_ms      first ping reply after the new default route
#                          exists (the kernel's time, ip -ts monitor)
#   peer_swap_from_route_ms  R replaced its kernel pair (toward L's new
#                          mapping), from the same moment
#   reply_after_peer_swap_ms first reply after that: the data path's share
#   tunnel_rtt_ms          ping over the tunnel before the move
#   route_to_ready_ms      L's daemon saw the route (rtnetlink, then the
#                          route check), from the kernel's stamp
#   ready_to_offer_ms      L: route seen -> subsequent offer sent (the
#                          offer no longer waits for the srflx answer:
#                          the HA vouches for L's address)
#   offer_to_answer_ms     L: the signalling round trip through the HA
#   checks_to_selected_ms  L: its first check of the new pair (at the offer
#                          after a move, else at the answer) -> selected
#   ready_to_srflx_ms      L: route seen -> srflx candidate (off the path)
#   over_target_ms         gap - (tunnel RTT + checks): the issue's target
#                          is "gap < 1 RTT + the check time of the new
#                          pair", met below 0
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
VARIANTS=${MICE_HANDOVER_VARIANTS:-ta5 ta5-no-early ta50 far-ha far-ha-no-early wan}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

variant_env() {	# VARIANT: its environment for test_fullstack.sh
	case $1 in
	ta5) echo MICE_FULLSTACK_TA_MS=5 ;;
	ta5-no-early) echo MICE_FULLSTACK_TA_MS=5 MICE_FULLSTACK_EARLY_CHECKS=off ;;
	ta50) echo MICE_FULLSTACK_TA_MS=50 ;;
	far-ha) echo MICE_FULLSTACK_TA_MS=5 MICE_FULLSTACK_HA_DELAY_MS=10 ;;
	far-ha-no-early) echo MICE_FULLSTACK_TA_MS=5 MICE_FULLSTACK_HA_DELAY_MS=10 \
		MICE_FULLSTACK_EARLY_CHECKS=off ;;
	wan) echo MICE_FULLSTACK_TA_MS=5 MICE_FULLSTACK_WAN_DELAY_MS=10 ;;
	wan-no-early) echo MICE_FULLSTACK_TA_MS=5 MICE_FULLSTACK_WAN_DELAY_MS=10 \
		MICE_FULLSTACK_EARLY_CHECKS=off ;;
	*) echo "handover_bench: unknown variant '$1'" >&2; exit 2 ;;
	esac
}
for v in $VARIANTS; do variant_env "$v" >/dev/null || exit 2; done

for r in $(seq "$ROUNDS"); do
	for v in $VARIANTS; do
		# shellcheck disable=SC2046
		line=$(env $(variant_env "$v") scripts/vm-run.sh --module kmod/mice.ko \
			--rmmod --timeout 600 -q -- tests/vm/test_fullstack.sh 2>&1 |
			grep -E '^ +handover:' | sed 's/^ *handover: //')
		echo "round $r $v: ${line:-no result (the run failed)}"
		[ -n "$line" ] && echo "$v $line" >> "$out"
	done
done

# median VALUES...
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
printf "%-16s %4s %6s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n" variant runs gap swap reply rtt seen offer answer checks srflx over
for v in $VARIANTS; do
	n=$(awk -v t="$v" '$1 == t' "$out" | wc -l)
	row=""
	for k in gap_from_route_ms peer_swap_from_route_ms reply_after_peer_swap_ms tunnel_rtt_ms route_to_ready_ms \
		 ready_to_offer_ms offer_to_answer_ms checks_to_selected_ms ready_to_srflx_ms \
		 over_target_ms; do
		row="$row $(awk -v t="$v" '$1 == t' "$out" | grep -o "$k=-*[0-9.]*" |
			cut -d= -f2 | median)"
	done
	# shellcheck disable=SC2086
	printf "%-16s %4s %6s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n" "$v" "$n" $row
done
echo "(ms, medians; gap = first reply after the new route; swap = R's kernel pair replaced;"
echo " reply = first reply after the swap; seen = route -> L saw it; offer = seen -> offer sent;"
echo " checks = first check -> selected on L; srflx = seen -> srflx answer, off the path;"
echo " over = gap - (RTT + checks): below 0 meets the target \"gap < 1 RTT + the check time\")"
