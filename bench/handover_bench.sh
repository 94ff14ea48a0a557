#!/bin/bash
# Handover gap (make bench): the full-stack VM test (tests/vm/test_fullstack.sh:
# HA, L and R behind two NATs, a TCP transfer and 10 ms pings across the
# tunnel while L's address changes) run ROUNDS times for each Ta, the Ta
# values interleaved so that a slow stretch of the TCG machine hits both.
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
#   answer_to_selected_ms  L: the checks and the nomination of the new pair
#   ready_to_srflx_ms      L: route seen -> srflx candidate (off the path)
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
TAS=${MICE_HANDOVER_TAS:-5 50}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for r in $(seq "$ROUNDS"); do
	for ta in $TAS; do
		line=$(MICE_FULLSTACK_TA_MS=$ta scripts/vm-run.sh --module kmod/mice.ko \
			--rmmod --timeout 600 -q -- tests/vm/test_fullstack.sh 2>&1 |
			grep -E '^ +handover:' | sed 's/^ *handover: //')
		echo "round $r ta-ms $ta: ${line:-no result (the run failed)}"
		[ -n "$line" ] && echo "$ta $line" >> "$out"
	done
done

# median VALUES...
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
printf "%-8s %6s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n" ta-ms runs gap swap reply rtt seen offer answer checks srflx
for ta in $TAS; do
	n=$(awk -v t="$ta" '$1 == t' "$out" | wc -l)
	row=""
	for k in gap_from_route_ms peer_swap_from_route_ms reply_after_peer_swap_ms tunnel_rtt_ms route_to_ready_ms \
		 ready_to_offer_ms offer_to_answer_ms answer_to_selected_ms ready_to_srflx_ms; do
		row="$row $(awk -v t="$ta" '$1 == t' "$out" | grep -o "$k=[0-9.]*" |
			cut -d= -f2 | median)"
	done
	# shellcheck disable=SC2086
	printf "%-8s %6s %8s %8s %8s %8s %8s %8s %8s %8s %8s\n" "$ta" "$n" $row
done
echo "(ms, medians; gap = first reply after the new route; swap = R's kernel pair replaced;"
echo " reply = first reply after the swap; seen = route -> L saw it; offer = seen -> offer sent;"
echo " checks = answer -> selected on L; srflx = seen -> srflx answer, off the path)"
