#!/bin/bash
# Attack test (guest, module loaded): a mobile node that dropped root
# (`user nobody`, docs/config.md "Privileges") keeps exactly what the data
# path needs: with CAP_NET_ADMIN alone it installs its selected pair in the
# module and the tunnel carries traffic; and without it (the same daemon
# under a user that holds no capability) the module refuses it, so the
# drop is real and the capability is what it keeps (docs/security.md
# "Secrets and privileges").
#   node-without-root-installs-its-pair, tunnel-works-after-drop,
#   node-keeps-only-cap-net-admin.
# Namespaces vp_*, addresses 10.99.42.0/24. Bounded in time.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/vm/lib.sh
. tests/netns/topo.sh
require_vm
MICE=$(pwd)/agent/mice
T=$(mktemp -d)

(umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/psk")
topo_init vp_br vp_ha vp_l vp_r
topo_plug vp_ha 10.99.42.1/24
topo_plug vp_l 10.99.42.11/24
topo_plug vp_r 10.99.42.12/24
topo_tunnel vp_l 1 2
topo_tunnel vp_r 2 1
topo_ha_conf "$T/ha.conf" 10.99.42.1
topo_mn_conf "$T/l.conf" 10.99.42.1 R "$T/psk" user nobody
topo_mn_conf "$T/r.conf" 10.99.42.1 L "$T/psk" user nobody
sed -i 's/^role ha$/role ha\nuser nobody/' "$T/ha.conf"
ip netns exec vp_ha $MICE daemon -c "$T/ha.conf" --control "$T/ha.ctl" > "$T/ha" 2>&1 &
wait_for "$T/ha" "privileges now user nobody" 5 || fail ha-start "$(cat "$T/ha")"
ip netns exec vp_r $MICE daemon -c "$T/r.conf" --name R --dev mice0 \
	--peer-prefix 10.200.0.1/32 --control "$T/r.ctl" > "$T/r" 2>&1 &
rpid=$!
ip netns exec vp_l $MICE daemon -c "$T/l.conf" --name L --connect R --dev mice0 \
	--peer-prefix 10.200.0.2/32 --control "$T/l.ctl" > "$T/l" 2>&1 &
lpid=$!

if wait_for "$T/l" "kernel-pair peer R id 1 remote 10.99.42.12:4191 installed" 60 &&
   wait_for "$T/r" "kernel-pair peer L id 1 remote 10.99.42.11:4191 installed" 20 &&
   grep -q "privileges now user nobody .* with CAP_NET_ADMIN only" "$T/l"; then
	pass node-without-root-installs-its-pair
else
	fail node-without-root-installs-its-pair "$(tail -6 "$T/l"; tail -6 "$T/r")"
fi
if ip netns exec vp_l ping -c 3 -i 0.3 -W 3 10.200.0.2 > "$T/ping" 2>&1; then
	pass tunnel-works-after-drop
else
	fail tunnel-works-after-drop "$(tail -3 "$T/ping"; ip netns exec vp_l cat /proc/net/mice/pairs)"
fi
st() { awk -v k="$2:" '$1 == k { print $2 }' /proc/$1/status 2>/dev/null; }
if [ "$(st $lpid Uid)" = "$(id -u nobody)" ] && [ "$(st $lpid CapEff)" = 0000000000001000 ] &&
   [ "$(st $lpid CapPrm)" = 0000000000001000 ] && [ "$(st $lpid CapBnd)" = 0000000000000000 ]; then
	pass node-keeps-only-cap-net-admin
else
	fail node-keeps-only-cap-net-admin "$(grep -E '^(Uid|Cap)' /proc/$lpid/status 2>&1 | tr '\t\n' '  ')"
fi
# the same command, as nobody without the capability, is refused by the
# module: the capability the node keeps is the one it needs
out=$(ip netns exec vp_l setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all $MICE pair set 9 sock 1 remote 10.99.42.12 port 4191 2>&1)
rc=$?
[ $rc = 4 ] && printf '%s' "$out" | grep -q "permission denied" &&
	pass pair-set-needs-cap-net-admin || fail pair-set-needs-cap-net-admin "rc $rc: $out"
kill $lpid $rpid 2>/dev/null; wait $lpid $rpid 2>/dev/null
summary
