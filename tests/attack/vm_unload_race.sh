#!/bin/bash
# Attack (issue 14 item 11): rmmod racing close() of an attached socket.
# udp_destroy_sock() calls the socket's encap_destroy without a lock; if
# the module could go while a socket still points at it, that call (and
# every datagram's encap_rcv) would run freed module text. Each attached
# socket now pins the module (kmod/socket.c): rmmod is refused while a
# socket is attached and succeeds once it is detached or closed. Then
# 1000 rounds of attach + close() race an rmmod/insmod loop; the harness
# fails the run on any WARN, BUG, Oops or refcount report in dmesg.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

MICE=./agent/mice
ES=./build/tools/encapsock
SEND=./build/tools/sendpkt
MODULE=${MICE_VM_MODULE:-kmod/mice.ko}
T=$(mktemp -d)
on_cleanup rm -rf "$T"
on_cleanup 'kill $(jobs -p) 2>/dev/null; wait'
loaded() { grep -q '^mice ' /proc/modules; }
reload() { loaded || insmod "$MODULE"; }
netns_create ur_a
# Not through ns(): $! must be the agent itself, not a subshell.
A="ip netns exec ur_a"

# --- rmmod while a socket is attached ----------------------------------------
$A $MICE attach --addr 127.0.0.1 --port 4400 > "$T/a" 2>&1 &
agent=$!
wait_until 10 grep -q attached "$T/a" || fail attach "$(cat "$T/a")"
out=$(rmmod mice 2>&1)
rc=$?
if [ $rc != 0 ] && loaded; then
	pass rmmod-refused-while-socket-attached
	echo "    rmmod: $out"
else
	fail rmmod-refused-while-socket-attached "rmmod succeeded (rc $rc) with a socket attached"
fi
# The module stayed: the socket still hands STUN up through encap_rcv.
reload
ns ur_a $SEND --to 127.0.0.1 --port 4400 stun > /dev/null
wait_until 5 grep -q '^stun from' "$T/a" && pass attached-socket-works-after-refused-rmmod ||
	fail attached-socket-works-after-refused-rmmod "$(tail -3 "$T/a")"
# Closing the socket (the agent exits) releases the module at once.
kill $agent; wait $agent 2>/dev/null
rmmod mice && ! loaded && pass rmmod-after-close || fail rmmod-after-close "rmmod failed after the agent closed its socket"
reload

# --- detach releases it too, while the owner keeps its socket ----------------
$A $MICE -j attach --addr 127.0.0.1 --port 4402 > "$T/d" 2>&1 &
agent=$!
wait_until 10 grep -q '"attached"' "$T/d"
id=$(sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$T/d")
ns ur_a $MICE detach "$id" && rmmod mice && ! loaded && pass rmmod-after-detach ||
	fail rmmod-after-detach "id '$id'"
kill -0 $agent 2>/dev/null && pass owner-survives-detach-and-unload || fail owner-survives-detach-and-unload
kill $agent; wait $agent 2>/dev/null
reload

# --- the race: 1000 rounds of attach + close() against rmmod/insmod ----------
(
	while [ ! -e "$T/stop" ]; do
		if rmmod mice 2>/dev/null; then
			echo unloaded
			insmod "$MODULE" || echo insmod-failed
		else
			echo busy
		fi
	done
) > "$T/unload" 2>&1 &
looper=$!
ns ur_a timeout 170 $ES churn --rounds 1000 --port 4401 --seconds 150 > "$T/churn" 2>&1
rc=$?
touch "$T/stop"
wait $looper
reload
echo "    churn: $(tail -1 "$T/churn")"
echo "    rmmod: $(grep -c '^unloaded' "$T/unload") unloaded, $(grep -c '^busy' "$T/unload") refused"
rounds=$(awk '/^rounds/ { print $2 }' "$T/churn")
attached=$(awk '/^rounds/ { print $4 }' "$T/churn")
[ $rc = 0 ] && [ "${rounds:-0}" = 1000 ] && pass churn-1000-rounds-complete ||
	fail churn-1000-rounds-complete "rc $rc: $(tail -3 "$T/churn")"
[ "${attached:-0}" -gt 0 ] && [ "$(grep -c '^unloaded' "$T/unload")" -gt 0 ] &&
	pass race-exercised || fail race-exercised "attached ${attached:-0}, unloads $(grep -c '^unloaded' "$T/unload")"
! grep -q insmod-failed "$T/unload" && pass reload-after-every-unload ||
	fail reload-after-every-unload "$(grep -c insmod-failed "$T/unload") insmod failures"
n=$(ns ur_a awk '$1 == "sockets" { print $2 }' /proc/net/mice/stats)
[ "$n" = 0 ] && pass no-socket-left-attached || fail no-socket-left-attached "sockets '$n'"
refs=$(awk '$1 == "mice" { print $3 }' /proc/modules)
[ "$refs" = 0 ] && pass no-module-reference-leaked || fail no-module-reference-leaked "refcount '$refs'"

summary
