#!/bin/bash
# Attack (issue 14 item 11): a socket the module let go is not a plain
# socket again. Detach must give the owner back the socket exactly as it
# was before attach: no encapsulation type (and while attached, the
# module's own MICE_UDP_ENCAP_TYPE, not ESP-in-UDP's 1), its multicast
# loop, plain datagrams delivered. Seen from the socket's owner with
# getsockopt (tests/tools/encapsock.c).
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

ES=./build/tools/encapsock
T=$(mktemp -d)
on_cleanup rm -rf "$T"
netns_create dr_a

ns dr_a $ES restore --port 4500 > "$T/out" 2>&1
cat "$T/out" | sed 's/^/    /'
field() { sed -n "s/^$1 .*$2=\([-0-9]*\).*/\1/p" "$T/out"; }
before_encap=$(field before encap); before_loop=$(field before mc_loop)
att_encap=$(field attached encap)
det_encap=$(field detached encap); det_loop=$(field detached mc_loop)
MICE_TYPE=$(($(awk '$2 == "MICE_UDP_ENCAP_TYPE" { print $3 }' uapi/linux/mice.h)))

[ -n "$att_encap" ] && [ "$att_encap" = "$MICE_TYPE" ] &&
	pass attached-socket-not-mistaken-for-esp-in-udp ||
	fail attached-socket-not-mistaken-for-esp-in-udp "encap type '$att_encap', want $MICE_TYPE (1 is UDP_ENCAP_ESPINUDP_NON_IKE)"
[ -n "$det_encap" ] && [ "$det_encap" = "$before_encap" ] &&
	pass detach-leaves-no-encapsulation ||
	fail detach-leaves-no-encapsulation "before '$before_encap', after detach '$det_encap'"
[ -n "$det_loop" ] && [ "$det_loop" = "$before_loop" ] &&
	pass detach-restores-multicast-loop ||
	fail detach-restores-multicast-loop "IP_MULTICAST_LOOP before '$before_loop', after detach '$det_loop'"
grep -q '^plain-datagram received' "$T/out" &&
	pass detached-socket-receives-plain-datagrams ||
	fail detached-socket-receives-plain-datagrams "$(tail -1 "$T/out")"

# The detached socket, then closed, leaves nothing in the module.
n=$(ns dr_a awk '$1 == "sockets" { print $2 }' /proc/net/mice/stats)
[ "$n" = 0 ] && pass detached-socket-leaves-no-state || fail detached-socket-leaves-no-state "sockets '$n'"

summary
