#!/bin/bash
# Runs as PID 1 inside the test VM, with the host's / (read-only 9p) as root.
# Started by scripts/vm/init; driven by scripts/vm-run.sh through RUNDIR/env.
#
# usage (guest only): guest.sh RUNDIR
#
# Channels:
#   /dev/ttyS0 (the console, host: RUNDIR/console.log): kernel messages,
#       full dmesg at the end, and the MICE-VM-RESULT= / MICE-VM-EXIT=
#       markers that vm-run.sh parses;
#   /dev/ttyS1 (host: vm-run.sh's stdout): the command's stdout+stderr and
#       this script's own "[vm] ..." messages.
#
# Exit codes (MICE-VM-EXIT), in order of precedence:
#   120 insmod failed, 122 bad kernel messages in dmesg, 124 command timed
#   out, else the command's status; 121 if --rmmod failed and the command
#   passed.  125 = harness setup problem.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
run=${1:-}
out=/dev/ttyS1

console() { printf '%s\n' "$*" >/dev/console; }
say() { printf '[vm] %s\n' "$*" >&3; }

finish() {
	local result=$1 code=$2
	if [ "${VMRUN_DUMP_DMESG:-1}" = 1 ]; then
		console "MICE-VM-DMESG-BEGIN"
		dmesg --color=never >/dev/console 2>&1
		console "MICE-VM-DMESG-END"
	fi
	console "MICE-VM-RESULT=$result"
	console "MICE-VM-EXIT=$code"
	# stty applies settings with TCSADRAIN, i.e. it waits until both
	# UARTs have sent everything, so nothing is lost at power-off.
	stty -F /dev/ttyS1 -onlcr 2>/dev/null
	stty -F /dev/ttyS0 onlcr 2>/dev/null
	exec 3>&-
	sync
	/bin/busybox poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 60
}

# Few execs here: every one costs tens of ms under TCG over 9p.
mounted() {
	local dir rest
	while read -r _ dir rest; do
		[ "$dir" = "$1" ] && return 0
	done </proc/mounts
	return 1
}
mnt() { # mnt TYPE DIR [OPTS]
	[ -d "$2" ] || mkdir -p "$2" 2>/dev/null
	mounted "$2" || mount -t "$1" ${3:+-o "$3"} "$1" "$2"
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mnt devtmpfs /dev
mnt devpts /dev/pts "gid=5,mode=620,ptmxmode=666"
mnt tmpfs /dev/shm "mode=1777"
mnt tmpfs /run "mode=755"
# /var/run is usually a symlink to /run.
[ -L /var/run ] || mnt tmpfs /var/run "mode=755"
# /tmp, /var/tmp and /root may hold the repo (CI clones anywhere): overlay a
# tmpfs on the read-only share instead of hiding it; plain tmpfs only if
# overlayfs is unavailable.
overlay_tmpfs() {	# DIR MODE
	local top=/run/.vm-ov$(echo "$1" | tr / _)
	mounted "$1" && return 0
	mkdir -p "$top" && mount -t tmpfs -o "mode=$2" tmpfs "$top" &&
	mkdir -p "$top/upper" "$top/work" && chmod "$2" "$top/upper" &&
	modprobe -q overlay &&
	mount -t overlay -o lowerdir="$1",upperdir="$top/upper",workdir="$top/work" overlay "$1" ||
	mnt tmpfs "$1" "mode=$2"
}
overlay_tmpfs /tmp 1777
overlay_tmpfs /var/tmp 1777
overlay_tmpfs /root 700
mnt debugfs /sys/kernel/debug
mnt tracefs /sys/kernel/tracing 2>/dev/null
mnt cgroup2 /sys/fs/cgroup 2>/dev/null
mnt bpf /sys/fs/bpf "mode=700" 2>/dev/null
mkdir -p /run/netns /run/lock
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

# Command output channel; raw so "\n" is not turned into "\r\n".
stty -F $out raw -echo 2>/dev/null
exec 3>$out

if [ -z "$run" ] || [ ! -r "$run/env" ]; then
	say "run directory '$run' has no env file"
	finish setup-failed 125
fi
# shellcheck source=/dev/null
. "$run/env"

echo mice-vm >/proc/sys/kernel/hostname
ip link set lo up 2>/dev/null
# Kernel problems must end the run fast (see also the kernel command line:
# oops=panic panic_on_warn=1 panic=-1, and QEMU's -no-reboot): a panic
# reboots at once, QEMU exits and vm-run.sh sees no MICE-VM-EXIT marker.
echo "${VMRUN_PANIC_ON_WARN:-1}" >/proc/sys/kernel/panic_on_warn
echo -1 >/proc/sys/kernel/panic
echo 1 >/proc/sys/kernel/panic_on_oops

# A module mentioned by name (not path) needs modules.dep for this kernel,
# which lives on the share under /lib/modules/$(uname -r).
[ -d "/lib/modules/$(uname -r)" ] ||
	say "warning: /lib/modules/$(uname -r) missing; modprobe will not work"

modname=
if [ -n "${VMRUN_MODULE:-}" ]; then
	modname=$(modinfo -F name "$VMRUN_MODULE" 2>/dev/null)
	[ -n "$modname" ] || { modname=${VMRUN_MODULE##*/}; modname=${modname%.ko}; modname=${modname//-/_}; }
	# insmod does not resolve dependencies: load them (udp_tunnel, ...) first.
	for dep in $(modinfo -F depends "$VMRUN_MODULE" 2>/dev/null | tr ',' ' '); do
		modprobe "$dep" || say "modprobe $dep (a dependency) failed"
	done
	before=$(dmesg | wc -l)
	if ! msg=$(insmod "$VMRUN_MODULE" ${VMRUN_MODULE_ARGS:-} 2>&1); then
		say "insmod $VMRUN_MODULE failed: $msg"
		say "kernel messages since insmod:"
		dmesg --color=never | tail -n +$((before + 1)) | head -n 30 |
			sed 's/^/[vm]   /' >&3
		finish insmod-failed 120
	fi
fi

# The command's environment: a clean one plus the host's MICE_* variables.
declare -a cenv=(PATH="$PATH" HOME=/root TERM=dumb LANG=C.UTF-8 USER=root
	LOGNAME=root SHELL=/bin/bash TMPDIR=/tmp MICE_VM=1
	MICE_VM_MODULE="${VMRUN_MODULE:-}" MICE_VM_MODULE_NAME="$modname")
while IFS= read -r v; do
	case "$v" in MICE_VM|MICE_VM_MODULE|MICE_VM_MODULE_NAME) continue ;; esac
	cenv+=("$v=${!v}")
done < <(compgen -e | grep '^MICE_')

cd "${VMRUN_CWD:-/}" 2>/dev/null || { say "cannot cd to $VMRUN_CWD"; cd /; }
console "MICE-VM-COMMAND-START uptime=$(cut -d' ' -f1 /proc/uptime)"
timeout -k 10 "${VMRUN_TIMEOUT:-570}" env -i "${cenv[@]}" "${VMRUN_CMD[@]}" \
	</dev/null >&3 2>&3
status=$?
console "MICE-VM-COMMAND-END uptime=$(cut -d' ' -f1 /proc/uptime) status=$status"
cd /

result=ok
code=$status
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
	say "command timed out after ${VMRUN_TIMEOUT:-570} s inside the guest"
	# Show what is stuck (goes to dmesg / the console log).
	echo w >/proc/sysrq-trigger 2>/dev/null
	result=timeout
	code=124
elif [ $status -ne 0 ]; then
	result=command-failed
fi

if [ "${VMRUN_RMMOD:-0}" = 1 ] && [ -n "$modname" ]; then
	# Namespaces deleted by the test are torn down asynchronously and may
	# hold the module for a moment: retry "in use" for up to 10 s.
	rc=1
	for i in $(seq 20); do
		msg=$(rmmod "$modname" 2>&1) && { rc=0; break; }
		case "$msg" in *"in use"*) sleep 0.5 ;; *) break ;; esac
	done
	if [ $rc -ne 0 ]; then
		say "rmmod $modname failed: $msg"
		if [ $code -eq 0 ]; then result=rmmod-failed; code=121; fi
	elif grep -q "^$modname " /proc/modules; then
		say "rmmod $modname: module still listed in /proc/modules"
		if [ $code -eq 0 ]; then result=rmmod-failed; code=121; fi
	fi
fi

# Kernel problems in the log fail the run whatever the command said.
bad=$(dmesg --color=never 2>/dev/null | grep -E "${VMRUN_BAD_RE:-WARNING:|BUG:|Oops}" |
	grep -vE "${VMRUN_BENIGN_RE:-^$}")
if [ -n "$bad" ]; then
	say "kernel problems found in dmesg:"
	printf '%s\n' "$bad" | head -n 60 | sed 's/^/[vm]   /' >&3
	if [ $result = ok ] || [ $result = command-failed ] ||
	   [ $result = rmmod-failed ]; then
		[ $result = ok ] || say "(command result was: $result, status $status)"
		result=dmesg
		code=122
	fi
fi

finish $result $code
