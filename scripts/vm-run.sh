#!/bin/bash
# Boot a Debian kernel under QEMU (TCG), optionally insmod a module, run one
# command inside it and return its exit status.
#
# usage: scripts/vm-run.sh [OPTIONS] -- COMMAND [ARGS...]
#
#   --module PATH.ko   insmod this module before COMMAND (failure: exit 120)
#   --module-args STR  module parameters for insmod ("a=1 b=2")
#   --rmmod            rmmod the module after COMMAND (failure: exit 121)
#   --timeout SECONDS  whole run, boot included (default 600; exceeded: 124)
#   --kver VERSION     guest kernel (default: newest /boot/vmlinuz-*-amd64)
#   --smp N / --mem MB guest CPUs (default 2, max 2) / memory (1024, max 2048)
#   --no-panic-on-warn let the guest survive a WARN (still fails the run)
#   --keep             keep the per-run directory build/vm/run.*
#   -q, --quiet        no timing line on stderr
#
# COMMAND is a host path; it runs in the guest as root, cwd = the directory
# vm-run.sh was started from, with the host's / mounted read-only (fresh
# tmpfs on /tmp, /run, /var/tmp; a tmpfs overlay on /root so it stays
# visible but becomes writable).  Its stdout+stderr appear on our stdout;
# harness messages are "[vm] ..." (stdout, from the guest) and "vm-run: ..."
# (stderr).  Host variables named MICE_* are passed in; the guest also sets
# MICE_VM=1, MICE_VM_MODULE (path) and MICE_VM_MODULE_NAME.
#
# Exit status: COMMAND's, or 120 insmod failed, 121 rmmod failed, 122 dmesg
# shows kernel problems (WARNING:, BUG:, Oops, ...), 123 the guest crashed
# or panicked, 124 timeout, 125 harness/setup error.
# The full console (kernel log + dmesg) is saved to build/vm/console.log.
#
# Debugging knobs (environment): MICE_VM_KVER (as --kver), MICE_VM_CPU
# (QEMU -cpu, default max), MICE_VM_APPEND (extra kernel parameters),
# MICE_VM_QEMU_ARGS (extra QEMU arguments), MICE_VM_9P_OPTS (9p mount
# options, default msize=262144,cache=loose).
set -uo pipefail

prog=vm-run
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
vmdir=$repo/build/vm

# Kernel messages that fail a run (checked in the guest's dmesg and, after a
# crash, in the console log) and benign lines excluded from that check.
BAD_RE='WARNING:|BUG:|Oops|refcount_t|list_add corruption|list_del corruption|general protection|KASAN|UBSAN|kernel BUG|Call Trace|Kernel panic|blocked for more than'
BENIGN_RE='module verification failed|loading out-of-tree module taints kernel'

err() { echo "$prog: $*" >&2; }

# One guest at a time on this machine: two TCG guests on 2 cores starve
# each other's timers and make timed cases flaky. MICE_VM_LOCK names the
# lock file (default /tmp/mice-vm.lock); waits, never fails.
exec 9>"${MICE_VM_LOCK:-/tmp/mice-vm.lock}"
flock 9
usage() { sed -n '2,/^set -uo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2; exit 125; }

module='' module_args='' rmmod=0 timeout=600 kver=${MICE_VM_KVER:-} smp=2 mem=1024
panic_on_warn=1 keep=0 quiet=0
while [ $# -gt 0 ]; do
	case "$1" in
	--module) module=${2:?}; shift ;;
	--module=*) module=${1#*=} ;;
	--module-args) module_args=${2?}; shift ;;
	--rmmod) rmmod=1 ;;
	--timeout) timeout=${2:?}; shift ;;
	--timeout=*) timeout=${1#*=} ;;
	--kver) kver=${2:?}; shift ;;
	--kver=*) kver=${1#*=} ;;
	--smp) smp=${2:?}; shift ;;
	--mem) mem=${2:?}; shift ;;
	--no-panic-on-warn) panic_on_warn=0 ;;
	--keep) keep=1 ;;
	-q|--quiet) quiet=1 ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) err "unknown option $1"; usage ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { err "no COMMAND given"; usage; }
[ $rmmod = 0 ] || [ -n "$module" ] || { err "--rmmod needs --module"; exit 125; }
case "$timeout" in ''|*[!0-9]*) err "bad --timeout '$timeout'"; exit 125 ;; esac
case "$smp" in 1|2) ;; *) err "--smp must be 1 or 2"; exit 125 ;; esac
case "$mem" in ''|*[!0-9]*) err "bad --mem"; exit 125 ;; esac
[ "$mem" -ge 256 ] && [ "$mem" -le 2048 ] || { err "--mem must be 256..2048"; exit 125; }

if [ -z "$kver" ]; then
	kver=$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' |
	       sort -V | tail -n 1)
	[ -n "$kver" ] || { err "no /boot/vmlinuz-*-amd64 (install linux-image-amd64)"; exit 125; }
fi
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || { err "cannot read $kernel"; exit 125; }
qemu=$(command -v qemu-system-x86_64) ||
	{ err "qemu-system-x86_64 not found (install qemu-system-x86)"; exit 125; }

# The command is looked up on the host (it must exist on the share).
cmd0=$1
if [[ $cmd0 != */* ]]; then
	command -v "$cmd0" >/dev/null ||
		{ err "command '$cmd0' not found in PATH"; exit 125; }
elif [ ! -e "$cmd0" ]; then
	err "command '$cmd0' does not exist"; exit 125
fi

if [ -n "$module" ]; then
	[ -f "$module" ] || { err "module '$module' not found"; exit 125; }
	module=$(readlink -f "$module")
fi

# The guest mounts fresh tmpfs over these, hiding the host's files there
# (/tmp, /var/tmp and /root are overlays: the host's files stay visible).
hidden() {
	local p
	p=$(readlink -f "$1" 2>/dev/null) || return 1
	case "$p/" in /run/*|/var/run/*|/dev/*|/proc/*|/sys/*) return 0 ;; esac
	return 1
}
for f in "$module" "$cmd0" "$PWD"; do
	[ -n "$f" ] && [[ $f == */* ]] || continue
	if hidden "$f"; then
		err "'$f' is under a directory the guest replaces with tmpfs"
		err "(/run /dev /proc /sys); put it in the repo instead"
		exit 125
	fi
done

mkdir -p "$vmdir" || exit 125
"$here/vm/build-initramfs.sh" "$kver" || { err "building the initramfs failed"; exit 125; }

rundir=$(mktemp -d "$vmdir/run.XXXXXX") || exit 125
case "$rundir$repo" in
*[[:space:]\"]*) err "paths with spaces or quotes are not supported: $rundir"; exit 125 ;;
esac
cleanup() { [ $keep = 1 ] || rm -rf "$rundir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leave the guest time to report a hung command before we kill QEMU.
gtimeout=$((timeout - 30))
[ $gtimeout -ge 10 ] || gtimeout=$((timeout > 20 ? timeout - 10 : 10))

{
	printf 'VMRUN_CWD=%q\n' "$PWD"
	printf 'VMRUN_MODULE=%q\n' "$module"
	printf 'VMRUN_MODULE_ARGS=%q\n' "$module_args"
	printf 'VMRUN_RMMOD=%s\n' "$rmmod"
	printf 'VMRUN_TIMEOUT=%s\n' "$gtimeout"
	printf 'VMRUN_PANIC_ON_WARN=%s\n' "$panic_on_warn"
	printf 'VMRUN_BAD_RE=%q\n' "$BAD_RE"
	printf 'VMRUN_BENIGN_RE=%q\n' "$BENIGN_RE"
	printf 'VMRUN_CMD=('
	printf ' %q' "$@"
	printf ' )\n'
	while IFS= read -r v; do
		printf 'export %s=%q\n' "$v" "${!v}"
	done < <(compgen -e | grep '^MICE_')
} >"$rundir/env"

append="console=ttyS0,115200 quiet loglevel=3 panic=-1 oops=panic"
append+=" panic_on_warn=$panic_on_warn mitigations=off"
append+=" watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60"
append+=" i8042.noaux i8042.nokbd i8042.nopnp random.trust_cpu=on"
append+=" printk.devkmsg=on mice_vm_guest=$here/vm/guest.sh mice_vm_run=$rundir"
append+=" mice_vm_9p=${MICE_VM_9P_OPTS:-msize=262144,cache=loose}"
append+=" ${MICE_VM_APPEND:-}"

console=$rundir/console.log
: >"$console"
t0=$(date +%s.%N)
# ttyS0 -> console.log, ttyS1 -> stdout.  QEMU makes its stdio non-blocking,
# so it gets a private pipe (through cat) rather than our own stdout.
timeout -k 5 "$timeout" "$qemu" \
	-accel tcg -cpu "${MICE_VM_CPU:-max}" -smp "$smp" -m "$mem" -M pc ${MICE_VM_QEMU_ARGS:-} \
	-nodefaults -no-user-config -display none -vga none -monitor none \
	-no-reboot \
	-kernel "$kernel" -initrd "$vmdir/initramfs.cpio.gz" -append "$append" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-chardev file,id=con,path="$console" -serial chardev:con \
	-chardev stdio,id=out,signal=off -serial chardev:out \
	</dev/null 2>"$rundir/qemu.err" | cat
qstatus=${PIPESTATUS[0]}
t1=$(date +%s.%N)

tr -d '\r' <"$console" >"$vmdir/.console.log.$$" &&
	mv -f "$vmdir/.console.log.$$" "$vmdir/console.log"
log=$vmdir/console.log

marker() { grep -a -o "$1=[^ ]*" "$log" | tail -n 1 | cut -d= -f2; }
grep -a '^MICE-VM-MSG: ' "$log" | sed 's/^MICE-VM-MSG: /vm-run: guest: /' >&2
code=$(marker MICE-VM-EXIT)
result=$(marker MICE-VM-RESULT)
start_up=$(grep -a -o 'MICE-VM-COMMAND-START uptime=[0-9.]*' "$log" | tail -n 1 | cut -d= -f2)

show_kernel_problems() {
	local bad
	bad=$(sed -n '/MICE-VM-DMESG-BEGIN/q;p' "$log" | grep -aE "$BAD_RE" |
	      grep -avE "$BENIGN_RE" | head -n 40)
	if [ -n "$bad" ]; then
		err "kernel problems on the console:"
		printf '%s\n' "$bad" | sed 's/^/  ! /' >&2
	fi
	err "last console lines (full log: $log):"
	grep -av '^MICE-VM-' "$log" | tail -n 25 | sed 's/^/  | /' >&2
}

if [ "$qstatus" -eq 124 ] || [ "$qstatus" -eq 137 ]; then
	err "TIMEOUT: no result after $timeout s; QEMU killed"
	show_kernel_problems
	exit 124
fi
if [ -z "$code" ]; then
	err "FAILED: the guest died without reporting a status (QEMU exit $qstatus)"
	[ -s "$rundir/qemu.err" ] && grep -v 'module ui-ui-' "$rundir/qemu.err" | sed 's/^/  qemu: /' >&2
	show_kernel_problems
	exit 123
fi

if [ $quiet = 0 ]; then
	total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	err "status $code ($result); command started at guest uptime ${start_up:-?} s; total ${total} s"
fi
case "$result" in
ok|command-failed) ;;
insmod-failed) err "FAILED: insmod $module failed (see [vm] lines above)" ;;
rmmod-failed) err "FAILED: rmmod after the command failed (see [vm] lines above)" ;;
dmesg) err "FAILED: kernel problems in dmesg (see [vm] lines above; full log: $log)" ;;
timeout) err "FAILED: command timed out in the guest after $gtimeout s" ;;
*) err "FAILED: $result" ;;
esac
exit "$code"
