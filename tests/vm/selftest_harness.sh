#!/bin/bash
# Host-side self-test of scripts/vm-run.sh: exit status passing, clean
# stdout, MICE_* variables, insmod/rmmod, dmesg checking, guest crash and
# timeout handling.  Boots the VM 11 times (2-3 minutes under TCG).
#
# usage: tests/vm/selftest_harness.sh
set -u
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo" || exit 2
vmrun=$repo/scripts/vm-run.sh
kver=${MICE_VM_KVER:-$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null |
	sed 's|^/boot/vmlinuz-||' | sort -V | tail -n 1)}
work=$repo/build/vm/selftest
mkdir -p "$work"

npass=0 nfail=0
pass() { npass=$((npass + 1)); echo "PASS: $1"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $1: $2"; }

# run NAME EXPECTED_STATUS VM-RUN-ARGS... : stdout -> $work/NAME.out
run() {
	local name=$1 want=$2 rc t0 t1
	shift 2
	t0=$(date +%s)
	"$vmrun" -q "$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	t1=$(date +%s)
	if [ "$rc" -eq "$want" ]; then
		pass "$name (status $rc, $((t1 - t0)) s)"
		return 0
	fi
	fail "$name" "status $rc, want $want; stderr: $(tail -n 5 "$work/$name.err" | tr '\n' ' ')"
	return 1
}

# 1. exit status passes through, stdout is exactly the command's output.
if run exit3 3 -- /bin/sh -c 'echo hello; echo to-stderr >&2; exit 3'; then
	if [ "$(cat "$work/exit3.out")" = "$(printf 'hello\nto-stderr')" ]; then
		pass exit3-output
	else
		fail exit3-output "unexpected stdout: $(head -c 300 "$work/exit3.out" | od -c | head -n 5)"
	fi
fi

# 2. a lot of output arrives complete (no loss at power-off, no CR/LF).
if run bigout 0 -- seq 1 30000; then
	if cmp -s "$work/bigout.out" <(seq 1 30000); then
		pass bigout-intact
	else
		fail bigout-intact "output differs from seq 1 30000"
	fi
fi

# 3. MICE_* variables reach the command, others do not.
if MICE_SELFTEST_VAR="x y'z" OTHER_SELFTEST_VAR=1 run env 0 -- \
	/bin/sh -c 'echo "[$MICE_SELFTEST_VAR][${OTHER_SELFTEST_VAR:-unset}][$MICE_VM][$PWD]"'; then
	want="[x y'z][unset][1][$repo]"
	if [ "$(cat "$work/env.out")" = "$want" ]; then pass env-vars
	else fail env-vars "got '$(cat "$work/env.out")', want '$want'"; fi
fi

# 4. insmod + rmmod of a real module (veth from the guest kernel's tree).
veth=$(find "/lib/modules/$kver/kernel/drivers/net" -name 'veth.ko*' | head -n 1)
if [ -n "$veth" ] && [[ $veth == *.ko ]]; then
	run insmod-rmmod 0 --module "$veth" --rmmod -- \
		/bin/sh -c 'grep -q "^veth " /proc/modules && [ "$MICE_VM_MODULE_NAME" = veth ]'
else
	echo "SKIP: insmod-rmmod: no uncompressed veth.ko for $kver"
fi

# 4b. rmmod failure is reported (a process keeps /dev/net/tun open).
tun=$(find "/lib/modules/$kver/kernel/drivers/net" -name 'tun.ko' | head -n 1)
if [ -n "$tun" ]; then
	run rmmod-fail 121 --module "$tun" --rmmod -- \
		/bin/sh -c 'sleep 1000 </dev/net/tun >/dev/null 2>&1 & sleep 0.5' &&
		{ grep -q 'rmmod tun failed' "$work/rmmod-fail.out" && pass rmmod-fail-message ||
		  fail rmmod-fail-message "no '[vm] rmmod tun failed' line"; }
else
	echo "SKIP: rmmod-fail: no uncompressed tun.ko for $kver"
fi

# 5. insmod failure is reported (a file that is not a module).
printf 'not an ELF file\n' >"$work/bogus.ko"
run insmod-fail 120 --module "$work/bogus.ko" -- /bin/true &&
	{ grep -q 'insmod .* failed' "$work/insmod-fail.out" && pass insmod-fail-message ||
	  fail insmod-fail-message "no '[vm] insmod ... failed' line"; }

# 6. bad kernel messages fail the run; benign taint messages do not.
run dmesg-bad 122 -- /bin/sh -c 'echo "WARNING: CPU: 0 PID: 1 at selftest/fake.c:1 fake+0x0/0x10" >/dev/kmsg' &&
	{ grep -q 'fake.c' "$work/dmesg-bad.out" && pass dmesg-bad-lines-shown ||
	  fail dmesg-bad-lines-shown "offending line not printed"; }
run dmesg-benign 0 -- /bin/sh -c 'echo "mice: loading out-of-tree module taints kernel." >/dev/kmsg;
	echo "mice: module verification failed: signature and/or required key missing - tainting kernel" >/dev/kmsg'

# 7. a kernel crash ends the run quickly with a failure instead of hanging.
run crash 123 --timeout 180 -- /bin/sh -c 'echo c >/proc/sysrq-trigger; sleep 100'

# 8. a hung command is stopped by --timeout: inside the guest (which then
# reports it) or, when even that is too late, by killing QEMU.
run timeout 124 --timeout 45 -- sleep 1000 &&
	{ grep -q 'timed out' "$work/timeout.out" && pass timeout-guest-message ||
	  fail timeout-guest-message "no '[vm] command timed out' line"; }
run hard-timeout 124 --timeout 12 -- sleep 1000 &&
	{ grep -q 'QEMU killed' "$work/hard-timeout.err" && pass hard-timeout-message ||
	  fail hard-timeout-message "no 'QEMU killed' message"; }

echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]
