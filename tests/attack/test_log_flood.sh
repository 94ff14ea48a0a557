#!/bin/bash
# Attack (host, network namespaces; no module): a flood of undecodable
# datagrams at the Home Agent's port (issue 14, item 8; docs/security.md,
# "Logs under a flood"). Anyone who can reach the port can send them, and
# every one used to be a log line written with a blocking flush from the
# event loop. The attacker al_x sends malformed mobility headers (each one
# a "drop" line) and garbage for FLOOD_S seconds, at most FLOOD_COUNT
# rounds; a client al_c asks the HA's STUN server meanwhile.
#   a) log-bounded-under-flood: the HA's log grows by at most LOG_BOUND
#      lines over the flood and the seconds after it, and says how many
#      similar lines it suppressed;
#   b) other-drop-reason-still-logged: a refused registration during the
#      flood (another reason) is still logged;
#   c) checks-answered-during-flood: STUN Binding requests to the HA are
#      answered during the flood, each within STUN_BOUND_MS;
#   d) flood-into-unread-log-does-not-block: the HA's stdout is a FIFO
#      whose reader never reads; the HA still answers STUN during the
#      flood (the log lines the flood makes used to fill it, and the loop
#      then waited for the reader);
#   e) stalled-log-reader-does-not-block: the same FIFO, full before the
#      HA starts (what a slow reader and a busy log come to): the HA
#      answers STUN, also during a flood;
#   f) stalled-log-reader-gets-the-lines-later: once the reader reads
#      again, it gets what the HA logged meanwhile (the HA keeps up to 64 kB
#      of lines for it; more are dropped and counted: tests/unit/test_logrl.c,
#      as a rate-limited flood never makes that much).
# Only addresses of namespaces created here (10.99.71.x). Bounded in time.
set -u
umask 077
cd "$(dirname "$0")/../.."
. tests/netns/topo.sh
MICE=$(pwd)/agent/mice
SENDPKT=$(pwd)/build/tools/sendpkt
T=$(mktemp -d)
P=0 F=0
pass() { P=$((P + 1)); echo "PASS: $1"; }
fail() { F=$((F + 1)); echo "FAIL: $1: ${2:-failed}"; }
NS="al_ha al_x al_c"
HA=10.99.71.1
FLOOD_S=10
FLOOD_COUNT=400000	# rounds of 3 datagrams, or FLOOD_S, whichever ends first
# per reason: a burst of 10, then 1 line a second, each with the count of
# what it held back, and a last count after the flood (agent/logrl.h):
# about 35 lines for the flood's reason, a few for the other reasons
LOG_BOUND=100
# A flood that outruns the HA overflows its socket's receive queue, and the
# kernel drops datagrams there, a check among them (RcvbufErrors, printed):
# no daemon answers what it never receives. What the loop owes is to answer
# the retransmission: within the client's fourth transmission (RFC 8489
# s.6.2.1, RTO 500 ms: at 0, 0.5, 1.5 and 3.5 s).
STUN_BOUND_MS=3500
[ "$(id -u)" = 0 ] || { echo "FAIL: root: needs root for namespaces"; exit 1; }
[ -x "$MICE" ] || { echo "FAIL: build: $MICE missing (make)"; exit 1; }
[ -x "$SENDPKT" ] || { echo "FAIL: build: $SENDPKT missing (make tools)"; exit 1; }

topo_init al_br $NS
topo_plug al_ha $HA/24
topo_plug al_x 10.99.71.66/24
topo_plug al_c 10.99.71.20/24

TOPO_NODES="L" topo_ha_conf "$T/ha.conf" $HA
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/psk"
topo_mn_conf "$T/l.conf" $HA R "$T/psk" kernel off
# the registration is signed with a key the HA does not have
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/wrong.key"
sed -i "s|^home-agent-key .*|home-agent-key $T/wrong.key|" "$T/l.conf"

# flood: malformed mobility headers (a valid MH header whose message does
# not decode; an MH of an unknown type) and garbage, from al_x
flood() {
	local t0=$SECONDS

	ip netns exec al_x timeout "$FLOOD_S" "$SENDPKT" --to $HA --port 4191 \
		--quiet --count $FLOOD_COUNT mh hex:3b01060000001010101010101010ffff \
		garbage > /dev/null 2>&1
	echo "    flood: $((SECONDS - t0)) s; $(ip netns exec al_ha awk \
		'/^Udp:/ { if (!h) { split($0, k); h = 1 } else for (i = 2; i <= NF; i++)
		if (k[i] == "RcvbufErrors") print $i }' /proc/net/snmp) datagrams dropped by the HA's kernel (receive queue full, in all)"
}

# stun_rtt TIMEOUT-S: one Binding request from al_c answered: its rtt in ms
stun_rtt() {
	ip netns exec al_c timeout 10 "$MICE" stun $HA:4191 --timeout "$1" 2>&1 |
		sed -n 's/^mapped 10\.99\.71\.20:[0-9]* .* rtt \([0-9]*\) ms.*/\1/p'
}

# checks_during_flood: floods, and meanwhile asks 4 times, a second apart;
# sets $rtts ("none" for a request not answered in 5 s). With an argument,
# a mobile node with the wrong key tries to register meanwhile.
checks_during_flood() {
	local i floodpid

	flood &
	floodpid=$!
	sleep 1
	[ $# = 0 ] || ip netns exec al_c timeout 5 "$MICE" daemon -c "$T/l.conf" \
		--name L > "$T/l.log" 2>&1 &
	rtts=""
	for i in 1 2 3 4; do
		sleep 1
		rtts="$rtts $(stun_rtt 5)"
		[ -n "${rtts##* }" ] || rtts="${rtts}none"
	done
	wait $floodpid
}

# rtts_ok: every request answered within STUN_BOUND_MS
rtts_ok() {
	local r

	[ -n "$rtts" ] || return 1
	for r in $rtts; do
		[ "$r" != none ] && [ "$r" -le $STUN_BOUND_MS ] || return 1
	done
}

# ha_up: the HA answers STUN (before any flood), within 3 tries
ha_up() {
	local i

	for i in 1 2 3; do
		[ -n "$(stun_rtt 1)" ] && return 0
	done
	return 1
}

# stop_ha: SIGTERM, and SIGKILL after 3 s (a daemon blocked in a write to
# its log may not get to its stop)
stop_ha() {
	local i

	kill $hapid 2>/dev/null
	for i in $(seq 30); do
		kill -0 $hapid 2>/dev/null || break
		sleep 0.1
	done
	kill -9 $hapid 2>/dev/null
	wait $hapid 2>/dev/null
}

# stall_fifo FIFO: a FIFO with a reader that holds it open and never reads
stall_fifo() {
	mkfifo "$1"
	timeout 60 sleep 60 < "$1" &
}

# --- a, b, c: the log is a file ---------------------------------------------
ip netns exec al_ha "$MICE" daemon -c "$T/ha.conf" --control "$T/ha.ctl" \
	> "$T/ha.log" 2>&1 &
hapid=$!
wait_for "$T/ha.log" "start" 5 || fail ha-start "$(cat "$T/ha.log")"
rtt=$(stun_rtt 2)
[ -n "$rtt" ] || fail stun-before-flood "no answer before the flood"
before=$(wc -l < "$T/ha.log")

checks_during_flood with-registration
# the last count comes when the reason has a token again: within ~1 s
sleep 3
after=$(wc -l < "$T/ha.log")
grown=$((after - before))
supp=$(sed -n 's/^t=[0-9.]* drop \([0-9]*\) similar lines suppressed (mobility header.*/\1/p' \
	"$T/ha.log" | awk '{ s += $1 } END { print s + 0 }')
echo "    log grew by $grown lines; $supp mobility-header lines suppressed"
if [ "$grown" -le $LOG_BOUND ] && [ "$supp" -ge 1000 ]; then
	pass log-bounded-under-flood
else
	fail log-bounded-under-flood "grew by $grown lines (bound $LOG_BOUND), $supp suppressed (>= 1000 expected); $(grep -c 'drop mobility header' "$T/ha.log") drop lines"
fi
grep -q "drop registration of L from 10.99.71.20:4191 refused" "$T/ha.log" &&
	pass other-drop-reason-still-logged ||
	fail other-drop-reason-still-logged "$(grep -v 'mobility header' "$T/ha.log" | tail -5)"
echo "    STUN rtt during the flood (ms):$rtts"
rtts_ok && pass checks-answered-during-flood ||
	fail checks-answered-during-flood "rtt (ms):$rtts, bound $STUN_BOUND_MS"
stop_ha

# --- d: the log is a FIFO nobody reads; the flood fills it --------------------
stall_fifo "$T/unread"
ip netns exec al_ha "$MICE" daemon -c "$T/ha.conf" --control "$T/ha.ctl" \
	> "$T/unread" 2>&1 &
hapid=$!
if ha_up; then
	checks_during_flood
	echo "    STUN rtt during the flood, the log unread (ms):$rtts"
	rtts_ok && pass flood-into-unread-log-does-not-block ||
		fail flood-into-unread-log-does-not-block "rtt (ms):$rtts, bound $STUN_BOUND_MS"
else
	fail flood-into-unread-log-does-not-block "no STUN answer before the flood"
fi
stop_ha

# --- e, f: the log is a FIFO nobody reads, full before the HA starts --------
stall_fifo "$T/stall"
# fill it with whole lines of PIPE_BUF octets (each write atomic): the
# writer blocks once it is full and is then stopped
timeout 2 bash -c 'l=$(printf "%4095s" "" | tr " " f)
	while :; do echo "$l"; done' > "$T/stall" 2>/dev/null
ip netns exec al_ha "$MICE" daemon -c "$T/ha.conf" --control "$T/ha.ctl" \
	> "$T/stall" 2>&1 &
hapid=$!
if ha_up; then
	checks_during_flood
	echo "    STUN rtt during the flood, the log stalled (ms):$rtts"
	rtts_ok && pass stalled-log-reader-does-not-block ||
		fail stalled-log-reader-does-not-block "rtt (ms):$rtts, bound $STUN_BOUND_MS"
else
	fail stalled-log-reader-does-not-block "no STUN answer, even before the flood"
fi
# a reader at last: the HA writes what it kept, and at its stop the rest
timeout 5 cat "$T/stall" > "$T/stall.out" 2>/dev/null &
catpid=$!
sleep 1
stop_ha
wait $catpid 2>/dev/null
if grep -aq "^t=[0-9.]* start role ha" "$T/stall.out" &&
   grep -aq "^t=[0-9.]* drop [0-9]* similar lines suppressed (mobility header" "$T/stall.out" &&
   grep -aq "^t=[0-9.]* stop signal" "$T/stall.out"; then
	pass stalled-log-reader-gets-the-lines-later
else
	fail stalled-log-reader-gets-the-lines-later "$(grep -v "^fff" "$T/stall.out" | tail -3)"
fi

# --- g: the log's reader goes away; the flood's lines then hit EPIPE -----
# (a daemon killed by SIGPIPE would be a one-datagram denial of service
# for anyone who can make it log while its reader is gone)
mkfifo "$T/gone"
timeout 60 sleep 60 < "$T/gone" &
readerpid=$!
ip netns exec al_ha "$MICE" daemon -c "$T/ha.conf" --control "$T/ha.ctl" \
	> "$T/gone" 2>&1 &
hapid=$!
if ha_up; then
	kill $readerpid	# timeout passes the signal on to its sleep
	wait $readerpid 2>/dev/null
	sleep 0.3
	checks_during_flood
	if kill -0 $hapid 2>/dev/null && rtts_ok; then
		pass log-reader-gone-does-not-kill-the-daemon
	else
		fail log-reader-gone-does-not-kill-the-daemon "HA $(kill -0 $hapid 2>/dev/null && echo alive || echo dead), rtt (ms):$rtts"
	fi
else
	fail log-reader-gone-does-not-kill-the-daemon "no STUN answer before the reader left"
fi
stop_ha

echo "$P passed, $F failed"
[ $F = 0 ]
