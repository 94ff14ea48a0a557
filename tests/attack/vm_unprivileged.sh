#!/bin/bash
# Attack (issue 14 items 9 and 10): a local user without CAP_NET_ADMIN
# reads the module's state or events: peers' NAT addresses, the sources of
# dropped datagrams, other hosts' forwarded flows. Every GET command, every
# dump, the events group and every /proc/net/mice file are refused, with a
# clear CLI error (exit 4, "permission denied"), and nothing changes.
# Then the stall of item 10: root readers pread far into
# /proc/net/mice/gates, which used to walk the gates from the start under
# the writers' mutex on every read; GATE_ADD and GATE_COMMIT must still
# complete within a bound.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

MICE=$(pwd)/agent/mice
SEND=./build/tools/sendpkt
GB=./build/tools/gatebatch
T=$(mktemp -d)
chmod 755 "$T"
on_cleanup rm -rf "$T"
on_cleanup 'kill $(jobs -p) 2>/dev/null; wait'
UNPRIV="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
netns_create up_a
A="ip netns exec up_a"

# Some state to steal: an attached socket that saw a dropped datagram, and
# a committed gate with a flow.
$A $MICE attach --addr 127.0.0.1 --port 4600 > "$T/agent" 2>&1 &
agent=$!
wait_until 10 grep -q attached "$T/agent" || fail setup-attach "$(cat "$T/agent")"
$A $SEND --to 127.0.0.1 --port 4600 garbage > /dev/null
$A $MICE gate add 7 --proto udp --src 10.1.0.2/32 --dst 10.2.0.2/32 --rate 1000 --burst 1500 &&
	$A $MICE gate commit 7 --flow udp,10.1.0.2,5000,10.2.0.2,6000 || fail setup-gate
snapshot() {
	for f in stats sockets pairs gates tokens; do
		# The gates' remaining seconds tick on their own: not compared.
		echo "== $f"; $A cat /proc/net/mice/$f | grep -v '^events_suppressed' |
			awk -v f=$f 'f == "gates" && NR > 2 { $17 = "" } { print }'
	done
}
snapshot > "$T/before"

# refused NAME CMD...: CMD, run unprivileged, exits 4 saying "permission denied".
refused() {
	local name=$1 out rc
	shift
	out=$($A $UNPRIV "$@" 2>&1)
	rc=$?
	if [ $rc = 4 ] && printf '%s' "$out" | grep -q "permission denied"; then
		pass "$name"
		echo "    $name: $out"
	else
		fail "$name" "rc $rc: $(printf '%s' "$out" | tail -2 | tr '\n' ' ')"
	fi
}
refused unprivileged-socket-dump-refused $MICE show
refused unprivileged-pair-dump-refused $MICE pair show
refused unprivileged-gate-dump-refused $MICE gate show
refused unprivileged-gate-get-refused $MICE gate show 7
refused unprivileged-events-subscription-refused $MICE monitor --timeout 2
refused unprivileged-gate-events-subscription-refused $MICE gate monitor --timeout 2
for f in stats sockets pairs gates tokens; do
	if [ ! -e "/proc/net/mice/$f" ]; then
		fail "unprivileged-proc-$f-refused" "no /proc/net/mice/$f"
	elif $A $UNPRIV cat "/proc/net/mice/$f" > "$T/leak" 2>&1 ||
	     grep -q '[0-9]' "$T/leak"; then
		fail "unprivileged-proc-$f-refused" "read: $(head -2 "$T/leak" | tr '\n' ' ')"
	else
		pass "unprivileged-proc-$f-refused"
	fi
done
# The administrator still reads all of it.
$A $MICE show > /dev/null && $A $MICE gate show 7 > /dev/null &&
	$A grep -q '^7 committed' /proc/net/mice/gates && pass root-still-reads ||
	fail root-still-reads
snapshot > "$T/after"
diff -u "$T/before" "$T/after" > "$T/diff" && pass unprivileged-reads-change-nothing ||
	fail unprivileged-reads-change-nothing "$(head -20 "$T/diff" | tr '\n' ' ')"
kill $agent; wait $agent 2>/dev/null

# --- item 10: readers far into /proc/net/mice/gates vs the writers ------------
netns_create up_s
S="ip netns exec up_s"
NG=20000
$S $MICE gate mode --max-gates $((NG + 2000)) &&
	$S $GB add --count $NG --first-id 1000 > "$T/fill" 2>&1 || fail stall-setup "$(cat "$T/fill")"
# writes FIRST-ID: 10 times, one gate added and committed by a process of
# its own (as an agent would); prints the sum and the slowest of the
# times the requests took (gatebatch times only its requests).
writes() {
	local id
	for id in $(seq "$1" $(($1 + 9))); do
		$S $GB add --commit --count 1 --first-id "$id" || echo "gatebatch failed" >&2
	done | awk '{ for (i = 1; i < NF; i++) if ($i == "seconds") { t += $(i + 1); if ($(i + 1) > m) m = $(i + 1) } }
		END { printf "%.3f %.3f\n", t, m }'
}
read -r base base_max < <(writes 100000)
# Four root readers, each pread()ing again and again at offsets past the
# end: every read walks the listing from its first gate up to there.
readers=
for r in 1 2 3 4; do
	$S ./build/tools/procseek /proc/net/mice/gates 120 > "$T/reads.$r" 2>&1 &
	readers="$readers $!"
done
sleep 2
read -r busy busy_max < <(writes 200000)
kill -INT $readers 2>/dev/null; wait $readers 2>/dev/null
sleep 0.5
reads=$(awk '/^reads/ { n += $2 } END { print n + 0 }' "$T"/reads.*)
echo "    10 adds + commits: ${base}s quiet (slowest ${base_max}s); ${busy}s with 4 readers seeking past $NG gates (slowest ${busy_max}s)"
[ "$reads" -gt 4 ] && pass readers-were-reading || fail readers-were-reading "$reads reads"
$S grep -q '^200009 committed' /proc/net/mice/gates &&
	pass writes-done-under-readers || fail writes-done-under-readers
# Bound: the listing never holds the writers' mutex, so readers only
# compete for the 2 vCPUs (and yield them every 1024 gates): no request
# waits for a walk of the table, let alone for several queued ones.
awk -v b="$base" -v s="$busy" -v m="$busy_max" 'BEGIN { exit !(s <= 10 * b + 1 && m <= 0.5) }' &&
	pass seeking-readers-do-not-stall-gate-writers ||
	fail seeking-readers-do-not-stall-gate-writers "${busy}s (slowest ${busy_max}s) with readers, ${base}s without"

summary
