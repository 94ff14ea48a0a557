#!/bin/bash
# The Home Agent's STUN Binding server against coturn's STUN service, on
# this machine, same client (tests/tools/stunflood), same run. Needs root
# (a network namespace of its own) and coturn.
set -u
cd "$(dirname "$0")/.."
SECS=${MICE_BENCH_SECONDS:-5}
NS=bench_stun
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip netns del $NS 2>/dev/null' EXIT
ip netns add $NS && ip -n $NS link set lo up
ip netns exec $NS ./agent/mice stun-server --addr 127.0.0.1 --port 3479 \
	--timeout $((SECS * 3 + 10)) >/dev/null 2>&1 &
ip netns exec $NS turnserver -n --stun-only --no-cli --listening-ip 127.0.0.1 \
	--listening-port 3478 --no-tls --no-dtls --log-file stdout --simple-log \
	>/dev/null 2>&1 &
sleep 1
rate() { ip netns exec $NS ./build/tools/stunflood --to 127.0.0.1 --port "$1" \
	--seconds "$SECS" | awk '{ print $6 }'; }
m1=$(rate 3479); c1=$(rate 3478); m2=$(rate 3479); c2=$(rate 3478)
m=$(( (m1 + m2) / 2 )) c=$(( (c1 + c2) / 2 ))
echo "server          binding responses/s"
echo "mice            $m   ($m1, $m2)"
echo "coturn 4.6      $c   ($c1, $c2)"
awk -v m=$m -v c=$c 'BEGIN { printf "mice/coturn     %.2f\n", c ? m / c : 0 }'
