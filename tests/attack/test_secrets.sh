#!/bin/bash
# Attack test (host, network namespaces; no module needed): secrets and
# privileges of the agent (issue 14 items 5-7, docs/security.md "Secrets and
# privileges").
#   key-file-readable-by-others-refused: a key file group- or world-readable
#     (home-agent-key, [node] key-file, psk-file) stops the daemon at start,
#     naming the file and the `chmod 600 FILE` that fixes it;
#   key-in-argv-refused: every option that took a key in argv is refused,
#     naming its -file form; a running `mice kdf` / `mice token mint` and a
#     running daemon show no key material in /proc/PID/cmdline;
#   daemon-drops-privileges: an HA and two mobile nodes started as root with
#     `user nobody`: the HA runs as nobody with no capability, the nodes
#     with CAP_NET_ADMIN only (bounding set cleared, no_new_privs), and the
#     nodes still complete a session through the HA after the drop;
#   derived-passwords-128-bits: the ICE passwords derived from the MIKEY TGK
#     carry 128 bits (RFC 8445 s.5.3), by the unit test of mikey_ice_creds.
# Namespaces ak_*, addresses 10.99.41.0/24. Bounded in time.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/netns/topo.sh
MICE=$(pwd)/agent/mice
T=$(mktemp -d)
P=0 F=0
pass() { P=$((P + 1)); echo "PASS: $1"; }
fail() { F=$((F + 1)); echo "FAIL: $1: ${2:-failed}"; }
[ "$(id -u)" = 0 ] || { echo "FAIL: root: needs root for namespaces"; exit 1; }
[ -x "$MICE" ] || { echo "FAIL: build: $MICE missing (make)"; exit 1; }
id nobody >/dev/null 2>&1 || { echo "FAIL: user: no user nobody"; exit 1; }

(umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/psk")
(umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/tgk")
PSK=$(cat "$T/psk")
TGK=$(cat "$T/tgk")

topo_init ak_br ak_ha ak_l ak_r
topo_plug ak_ha 10.99.41.1/24
topo_plug ak_l 10.99.41.11/24
topo_plug ak_r 10.99.41.12/24
topo_ha_conf "$T/ha.conf" 10.99.41.1
topo_mn_conf "$T/l.conf" 10.99.41.1 R "$T/psk" kernel off
topo_mn_conf "$T/r.conf" 10.99.41.1 L "$T/psk" kernel off

# --- key-file-readable-by-others-refused ---------------------------------------
# refused CONF NS FILE MODE [ARGS...]: FILE at MODE stops the daemon at start
refused() {
	local conf=$1 ns=$2 file=$3 mode=$4 out rc
	shift 4
	chmod "$mode" "$file"
	out=$(ip netns exec "$ns" timeout 5 $MICE daemon -c "$conf" \
		--control "$T/x.ctl" --timeout 2 "$@" 2>&1)
	rc=$?
	chmod 600 "$file"
	if [ $rc = 2 ] && printf '%s' "$out" | grep -qF "$file: permissions 0$mode are too open" &&
	   printf '%s' "$out" | grep -qF "chmod 600 $file" &&
	   ! printf '%s' "$out" | grep -q "^t=.* start"; then
		return 0
	fi
	echo "    $file at $mode: rc $rc: $out"
	return 1
}
ok=1
refused "$T/l.conf" ak_l "$T/mnha.key" 644 --name L || ok=0
refused "$T/l.conf" ak_l "$T/psk" 640 --name L || ok=0
refused "$T/ha.conf" ak_ha "$T/mnha.key" 604 || ok=0
[ $ok = 1 ] && pass key-file-readable-by-others-refused ||
	fail key-file-readable-by-others-refused "a key file others can read was used"
# a symbolic link to the key is refused too (O_NOFOLLOW), naming it
ln -s "$T/psk" "$T/psk.link"
sed "s|psk-file .*|psk-file $T/psk.link|" "$T/l.conf" > "$T/link.conf"
out=$(ip netns exec ak_l timeout 5 $MICE daemon -c "$T/link.conf" --name L \
	--control "$T/x.ctl" --timeout 2 2>&1); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -qF "$T/psk.link: is a symbolic link" &&
	pass key-file-symlink-refused || fail key-file-symlink-refused "rc $rc: $out"

# --- key-in-argv-refused -------------------------------------------------------
# argv_refused NEWOPT CMD...: the command exits 2 naming NEWOPT
ok=1
argv_refused() {
	local new=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 2 ] && printf '%s' "$out" | grep -q -- "is refused.*use $new FILE"; then
		return 0
	fi
	echo "    $*: rc $rc: $out"
	return 1
}
CLS="--proto udp --dst 10.99.41.12/32 --rate 1000 --burst 1000"
argv_refused --key-file $MICE token mint --key "$TGK" --gate-id 1 --expires 60 $CLS || ok=0
argv_refused --group-key-file $MICE token mint --group-key "$TGK" --gate-id 1 --expires 60 $CLS || ok=0
argv_refused --key-file $MICE token verify --key "$TGK" 00 || ok=0
argv_refused --key-file $MICE gate key set --key "$TGK" || ok=0
argv_refused --group-key-file $MICE gate key set --group-key "$TGK" || ok=0
argv_refused --tgk-file $MICE kdf --tgk "$TGK" --rand 00 --key tek || ok=0
argv_refused --psk-file $MICE kdf --psk "$PSK" --rand 00 --key auth || ok=0
# while a key is read from standard input, the command line holds none.
# cmdline_clean NAME CMD...: runs CMD with the TGK file on a FIFO it waits on
cmdline_clean() {
	local name=$1 pid cmd=
	shift
	rm -f "$T/fifo"; mkfifo -m 600 "$T/fifo"
	"$@" < "$T/fifo" > "$T/$name.out" 2>&1 &
	pid=$!
	exec 7> "$T/fifo"
	for _ in $(seq 50); do
		[ -d /proc/$pid ] || break
		cmd=$( (tr '\0' ' ' < /proc/$pid/cmdline) 2>/dev/null)
		case $cmd in *"$MICE"*) break ;; esac
		sleep 0.1
	done
	cat "$T/tgk" >&7
	exec 7>&-
	wait $pid
	if [ $? = 0 ] && [ -n "$cmd" ] && [ -s "$T/$name.out" ] &&
	   ! printf '%s' "$cmd" | grep -qi "$TGK"; then
		return 0
	fi
	echo "    $name: cmdline '$cmd': $(cat "$T/$name.out")"
	return 1
}
cmdline_clean kdf $MICE kdf --tgk-file - --rand 00 --key tek || ok=0
cmdline_clean mint $MICE token mint --key-file - --gate-id 1 --expires 60 $CLS || ok=0
# the same key from a file and from standard input: the same output
$MICE kdf --tgk-file "$T/tgk" --rand 00 --key tek > "$T/kdf.file" 2>&1
cmp -s "$T/kdf.file" "$T/kdf.out" || { ok=0; echo "    kdf: file $(cat "$T/kdf.file") stdin $(cat "$T/kdf.out")"; }
[ $ok = 1 ] && pass key-in-argv-refused || fail key-in-argv-refused "a key was taken from argv"

# --- daemon-drops-privileges -----------------------------------------------------
sed -i 's/^role ha$/role ha\nuser nobody/' "$T/ha.conf"
sed -i 's/^role mn$/role mn\nuser nobody/' "$T/l.conf" "$T/r.conf"
ip netns exec ak_ha $MICE daemon -c "$T/ha.conf" --control "$T/ha.ctl" > "$T/ha.log" 2>&1 &
hapid=$!
wait_for "$T/ha.log" "privileges now user nobody" 5 || fail ha-start "$(cat "$T/ha.log")"
ip netns exec ak_r $MICE daemon -c "$T/r.conf" --name R --control "$T/r.ctl" > "$T/r.log" 2>&1 &
rpid=$!
wait_for "$T/r.log" "privileges now user nobody" 5 || fail r-start "$(cat "$T/r.log")"
ip netns exec ak_l $MICE daemon -c "$T/l.conf" --name L --connect R --control "$T/l.ctl" > "$T/l.log" 2>&1 &
lpid=$!
wait_for "$T/l.log" "privileges now user nobody" 5 || fail l-start "$(cat "$T/l.log")"
field() { awk -v k="$2:" '$1 == k { print $2 }' /proc/$1/status 2>/dev/null; }
# creds PID CAPS: uid nobody, effective = permitted = CAPS, empty bounding set
creds() {
	local nob
	nob=$(id -u nobody)
	[ "$(field "$1" Uid)" = "$nob" ] && [ "$(field "$1" Gid)" = "$(id -g nobody)" ] &&
	[ "$(awk '$1 == "Uid:" { print $2 $3 $4 $5 }' /proc/$1/status 2>/dev/null)" = "$nob$nob$nob$nob" ] &&
	[ "$(field "$1" CapEff)" = "$2" ] && [ "$(field "$1" CapPrm)" = "$2" ] &&
	[ "$(field "$1" CapBnd)" = 0000000000000000 ] &&
	[ "$(field "$1" CapAmb)" = 0000000000000000 ] &&
	[ "$(field "$1" NoNewPrivs)" = 1 ]
}
show() { grep -E "^(Uid|Gid|Groups|Cap|NoNewPrivs)" /proc/$1/status 2>&1 | tr '\t\n' '  '; }
if creds $hapid 0000000000000000 && creds $lpid 0000000000001000 &&
   creds $rpid 0000000000001000; then
	pass daemon-drops-privileges
else
	fail daemon-drops-privileges "ha: $(show $hapid); L: $(show $lpid); R: $(show $rpid)"
fi
# ... and the nodes still keep a session after the drop (PSKs read at start)
if wait_for "$T/l.log" "^t=.* selected" 15 && wait_for "$T/r.log" "^t=.* selected" 10 &&
   [ "$(ip netns exec ak_l $MICE status --control "$T/l.ctl" | jq -r '.sessions[0].state')" = completed ]; then
	pass session-after-privilege-drop
else
	fail session-after-privilege-drop "$(tail -5 "$T/l.log"; tail -5 "$T/r.log"; tail -5 "$T/ha.log")"
fi
# a running daemon's command line names files, never a key
cmd=$( (tr '\0' ' ' < /proc/$lpid/cmdline) 2>/dev/null)
printf '%s' "$cmd" | grep -q "daemon" && ! printf '%s' "$cmd" | grep -qi "$PSK" &&
	pass daemon-cmdline-holds-no-key || fail daemon-cmdline-holds-no-key "$cmd"
kill $lpid $rpid $hapid 2>/dev/null; wait $lpid $rpid $hapid 2>/dev/null
# an unknown user stops the daemon at start, by name
sed 's/^user nobody$/user ak-no-such-user/' "$T/ha.conf" > "$T/nouser.conf"
out=$(ip netns exec ak_ha timeout 5 $MICE daemon -c "$T/nouser.conf" --control "$T/x.ctl" --timeout 2 2>&1); rc=$?
[ $rc != 0 ] && printf '%s' "$out" | grep -q "user ak-no-such-user: no such user" &&
	pass unknown-user-refused || fail unknown-user-refused "rc $rc: $out"

# --- derived-passwords-128-bits -------------------------------------------------
# (the daemon does not show its passwords, not even in `mice status`)
if make -s build/unit/test_mikey_prf > "$T/make.log" 2>&1 &&
   CK_LOG_FILE_NAME="$T/ck.log" build/unit/test_mikey_prf > /dev/null 2>&1 &&
   grep -q ":derived_ice_passwords_carry_128_bits:.*Passed" "$T/ck.log"; then
	pass derived-passwords-128-bits
else
	fail derived-passwords-128-bits "$(tail -3 "$T/make.log"; grep -i derived "$T/ck.log" 2>&1)"
fi

echo "test_secrets: $P passed, $F failed"
[ $F = 0 ]
