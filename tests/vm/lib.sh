# shellcheck shell=bash
# Helpers for guest test scripts (tests/vm/*.sh), run by scripts/vm-run.sh.
# Source it:   . "$(dirname "$0")/lib.sh"
#
# Results:  pass NAME | fail NAME MSG | skip NAME MSG
#           vm_test NAME CMD...   (PASS if CMD exits 0, else FAIL with its
#                                  last output lines)
#           summary               ("N passed, N failed[, N skipped]";
#                                  returns 1 on any failure or no test at all)
# Netns:    netns_create NAME     (only namespaces the test creates itself;
#                                  deleted by cleanup)
#           veth_pair NS1 IF1 NS2 IF2 [N]
#                                 (veth between two namespaces, up, with
#                                  10.99.N.1/24 on IF1 and 10.99.N.2/24 on
#                                  IF2; N counts up from 1 by default; sets
#                                  VETH_ADDR1 / VETH_ADDR2)
#           ns NAME CMD...        (ip netns exec)
#           ns_ping NAME ADDR     (one ping, 2 s deadline)
# Misc:     on_cleanup CMD...     (run at exit, last registered first)
#           wait_until SECS CMD...(poll CMD every 0.1 s)
#           require_vm            (refuse to run outside the VM)
# A trap runs cleanup on EXIT, INT and TERM: it kills the script's
# background jobs, runs the on_cleanup commands, deletes the namespaces.

T_PASS=0
T_FAIL=0
T_SKIP=0
T_NETNS=()
T_CLEANUP=()
T_VETH_N=0

pass() { T_PASS=$((T_PASS + 1)); echo "PASS: $1"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL: $1: ${2:-failed}"; }
skip() { T_SKIP=$((T_SKIP + 1)); echo "SKIP: $1: ${2:-skipped}"; }

vm_test() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(printf '%s\n' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
	return $rc
}

summary() {
	local s="$T_PASS passed, $T_FAIL failed"
	[ $T_SKIP -eq 0 ] || s="$s, $T_SKIP skipped"
	echo "$s"
	[ $T_FAIL -eq 0 ] && [ $((T_PASS + T_SKIP)) -gt 0 ]
}

require_vm() {
	if [ "${MICE_VM:-}" != 1 ]; then
		echo "$0: must run inside the test VM (scripts/vm-run.sh -- $0)" >&2
		exit 2
	fi
}

on_cleanup() { T_CLEANUP+=("$*"); }

cleanup() {
	local i jobs
	# The test's background processes (agents, daemons) go first: an
	# attached socket holds the module (rmmod after the test: EBUSY).
	jobs=$(jobs -p)
	if [ -n "$jobs" ]; then
		kill -9 $jobs >/dev/null 2>&1
		wait $jobs >/dev/null 2>&1
	fi
	for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUP[i]}" >/dev/null 2>&1
	done
	T_CLEANUP=()
	for i in "${T_NETNS[@]}"; do
		ip netns del "$i" >/dev/null 2>&1
	done
	T_NETNS=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

netns_create() {
	local name=$1
	if ip netns list 2>/dev/null | awk -v n="$name" '$1 == n { f = 1 } END { exit !f }'; then
		echo "netns_create: namespace $name already exists" >&2
		return 1
	fi
	ip netns add "$name" || return 1
	T_NETNS+=("$name")
	ip -n "$name" link set lo up
}

ns() { local n=$1; shift; ip netns exec "$n" "$@"; }

veth_pair() {
	local ns1=$1 if1=$2 ns2=$3 if2=$4 n=${5:-}
	if [ -z "$n" ]; then
		T_VETH_N=$((T_VETH_N + 1))
		n=$T_VETH_N
	fi
	if [ "$n" -lt 0 ] || [ "$n" -gt 255 ]; then
		echo "veth_pair: subnet index $n out of range" >&2
		return 1
	fi
	VETH_ADDR1=10.99.$n.1
	VETH_ADDR2=10.99.$n.2
	ip link add "$if1" netns "$ns1" type veth peer name "$if2" netns "$ns2" ||
		return 1
	ip -n "$ns1" addr add "$VETH_ADDR1/24" dev "$if1" &&
	ip -n "$ns2" addr add "$VETH_ADDR2/24" dev "$if2" &&
	ip -n "$ns1" link set "$if1" up &&
	ip -n "$ns2" link set "$if2" up
}

# ping from iputils if present, else busybox's.
ns_ping() {
	local n=$1 addr=$2
	if command -v ping >/dev/null 2>&1; then
		ns "$n" ping -n -q -c 1 -W 2 "$addr" >/dev/null 2>&1
	else
		ns "$n" busybox ping -q -c 1 -W 2 "$addr" >/dev/null 2>&1
	fi
}

wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
