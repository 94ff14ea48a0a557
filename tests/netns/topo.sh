# shellcheck shell=bash
# The M-ICE test topology, shared by the namespace tests (tests/netns), the
# VM tests (tests/vm) and the demo: a "public" bridge, hosts plugged into
# it, and NATs with a private segment behind each (seed 004 s.1, Figure 1).
# Only namespaces and addresses the caller names. Source it:
#
#   . tests/netns/topo.sh
#   topo_init BR NS...                the public segment BR (a bridge in the
#                                     root namespace) and the namespaces, lo
#                                     up; an EXIT trap stops the script's
#                                     jobs and deletes them all, and $T
#   topo_bridge BR                    only the bridge (topo_init uses it)
#   topo_plug NS ADDR/LEN [IFNAME]    NS joins it on IFNAME (default pub)
#   topo_nat NATNS PUBADDR INNERNS GW HOSTADDR [eim|symmetric]
#       NATNS joins the bridge at PUBADDR/24 and routes INNERNS (HOSTADDR/24
#       on eth0, default route via GW) through nftables masquerade:
#         eim        endpoint-independent mapping (the port kept),
#         symmetric  a random port per destination (fully-random);
#       both filter address-and-port-dependently: new inbound connections
#       are dropped (RFC 4787), so a mapping exists only toward where the
#       inside sent.
#   topo_tunnel NS ME OTHER           a mice0 device in NS with 10.200.0.ME/32
#                                     and a route to 10.200.0.OTHER over it
#   topo_ha_conf FILE ADDR [NAME HA]...
#       a Home Agent config listening on ADDR:4191; each NAME HA pair is a
#       node served by the Home Agent at HA:4191 (HA-to-HA signalling,
#       under the key topo_haha_key makes);
#       every other name in $TOPO_NODES (default "L R") is a [node] it
#       serves, with the MN-HA key topo_mnha_key makes
#   topo_mn_conf FILE HA PEER PSKFILE [KEY VALUE]...
#       a mobile node config: HA:4191 is its home agent and STUN server,
#       PEER its peer, its registrations signed with topo_mnha_key's key;
#       extra [agent] keys (e.g. kernel off) follow
#   topo_mnha_key DIR   the MN-HA key file in DIR (made once): its path
#   topo_haha_key DIR   the key between Home Agents in DIR (made once)
#   wait_for FILE PATTERN [SECONDS]   poll FILE for PATTERN (grep), 10 s

topo_init() {
	TOPO_NS="${*:2}"
	topo_bridge "$1"
	local n

	for n in $TOPO_NS; do
		ip netns add "$n"
		ip -n "$n" link set lo up
	done
	trap topo_cleanup EXIT
}

topo_cleanup() {
	local n

	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	for n in $TOPO_NS; do ip netns del "$n" 2>/dev/null; done
	ip link del "$TOPO_BR" 2>/dev/null
	[ -n "${T:-}" ] && rm -rf "$T"
}

topo_bridge() {
	TOPO_BR=$1
	ip link add "$TOPO_BR" type bridge && ip link set "$TOPO_BR" up
}

topo_plug() {
	local ifname=${3:-pub}

	ip link add "$1$ifname" type veth peer name "$ifname" netns "$1"
	ip link set "$1$ifname" master "$TOPO_BR" up
	ip -n "$1" addr add "$2" dev "$ifname"
	ip -n "$1" link set "$ifname" up
}

topo_nat() {
	local masq=masquerade

	case ${6:-eim} in
	eim) ;;
	symmetric) masq="masquerade fully-random" ;;
	*) echo "topo_nat: unknown NAT kind '$6' (eim or symmetric)" >&2; return 1 ;;
	esac
	topo_plug "$1" "$2/24"
	ip link add in netns "$1" type veth peer name eth0 netns "$3"
	ip -n "$1" addr add "$4/24" dev in
	ip -n "$1" link set in up
	ip -n "$3" addr add "$5/24" dev eth0
	ip -n "$3" link set eth0 up
	ip -n "$3" route add default via "$4"
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$1" nft -f - <<NFT
table ip nat {
	chain post { type nat hook postrouting priority 100; oifname "pub" $masq; }
}
table ip filter {
	# unsolicited inbound is dropped before conntrack confirms it, so it
	# cannot steal a mapping
	chain to_nat { type filter hook input priority 0; iifname "pub" ct state new drop; }
	chain through_nat { type filter hook forward priority 0; iifname "pub" ct state new drop; }
}
NFT
}

topo_tunnel() {
	ip -n "$1" link add mice0 type mice
	ip -n "$1" addr add "10.200.0.$2/32" dev mice0
	ip -n "$1" link set mice0 up
	ip -n "$1" route add "10.200.0.$3/32" dev mice0
}

topo_mnha_key() {
	local k="$1/mnha.key"

	# key files are refused unless only their owner can read them
	[ -s "$k" ] || (umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$k")
	echo "$k"
}

topo_haha_key() {
	local k="$1/haha.key"

	[ -s "$k" ] || (umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$k")
	echo "$k"
}

topo_ha_conf() {
	local f=$1 key hakey n remote=' '

	key=$(topo_mnha_key "$(dirname "$f")")
	hakey=$(topo_haha_key "$(dirname "$f")")
	printf '[agent]\nrole ha\nlisten %s:4191\n' "$2" > "$f"
	shift 2
	while [ $# -ge 2 ]; do
		printf '[peer %s]\nhome-agent %s:4191\nha-key-file %s\n' \
			"$1" "$2" "$hakey" >> "$f"
		remote="$remote$1 "
		shift 2
	done
	for n in ${TOPO_NODES:-L R}; do
		case "$remote" in *" $n "*) continue ;; esac
		printf '[node %s]\nkey-file %s\n' "$n" "$key" >> "$f"
	done
}

topo_mn_conf() {
	local f=$1 ha=$2 peer=$3 psk=$4

	shift 4
	{
		printf '[agent]\nrole mn\nlisten 0.0.0.0:4191\n'
		printf 'home-agent %s:4191\nstun-server %s:4191\n' "$ha" "$ha"
		printf 'home-agent-key %s\n' "$(topo_mnha_key "$(dirname "$f")")"
		while [ $# -ge 2 ]; do
			printf '%s %s\n' "$1" "$2"
			shift 2
		done
		printf '[peer %s]\ncredentials psk-file %s\n' "$peer" "$psk"
	} > "$f"
}

wait_for() {
	local i

	for i in $(seq $(( ${3:-10} * 10 ))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
