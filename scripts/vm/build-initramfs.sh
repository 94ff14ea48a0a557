#!/bin/bash
# Build the tiny busybox initramfs that boots the test VM.
#
# usage: scripts/vm/build-initramfs.sh [KVER]
#
# Output: build/vm/initramfs.cpio.gz (plus build/vm/initramfs.stamp).
# KVER defaults to $MICE_VM_KVER, else to the newest /boot/vmlinuz-*-amd64
# (the host's own `uname -r` is usually a different, module-less kernel).
#
# The initramfs only holds busybox, /init (scripts/vm/init) and the modules
# needed to mount the host's / over virtio-9p; everything else comes from the
# host through that share.  The build is idempotent: it is skipped when the
# stamp (kernel version + checksums of every input) is unchanged, and it is
# safe to run concurrently (flock + atomic rename).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out_dir=${MICE_VM_BUILD_DIR:-$repo/build/vm}
out=$out_dir/initramfs.cpio.gz
stamp=$out_dir/initramfs.stamp

die() { echo "build-initramfs: $*" >&2; exit 1; }

default_kver() {
	local k
	k=$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|^/boot/vmlinuz-||' |
	    sort -V | tail -n 1)
	[ -n "$k" ] || die "no /boot/vmlinuz-*-amd64 found (install linux-image-amd64)"
	echo "$k"
}

kver=${1:-${MICE_VM_KVER:-}}
[ -n "$kver" ] || kver=$(default_kver)
moddir=/lib/modules/$kver
[ -d "$moddir" ] || die "$moddir missing (install linux-image-$kver)"

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ]; then busybox=$b; break; fi
done
[ -n "$busybox" ] || die "busybox not found (install busybox-static)"
# A dynamically linked busybox would need its libraries in the initramfs.
if command -v file >/dev/null &&
   LC_ALL=C file -L "$busybox" | grep -q 'dynamically linked'; then
	die "$busybox is dynamically linked; install busybox-static"
fi

# Modules needed to mount the 9p share, in load order.
mods="netfs fscache 9pnet virtio_ring virtio virtio_pci_legacy_dev
      virtio_pci_modern_dev virtio_pci 9pnet_virtio 9p"

# Resolve each module to a file; modules missing from the tree are assumed
# to be built into this kernel (checked against modules.builtin).
declare -a modfiles=()
for m in $mods; do
	f=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" \
	         -o -name "$m.ko.zst" -o -name "$m.ko.gz" 2>/dev/null | head -n 1)
	if [ -z "$f" ]; then
		if grep -qE "/$m\.ko$" "$moddir/modules.builtin" 2>/dev/null; then
			continue
		fi
		die "module $m not found under $moddir"
	fi
	modfiles+=("$f")
done

mkdir -p "$out_dir"

new_stamp() {
	echo "kver $kver"
	sha256sum "$here/init" "$here/build-initramfs.sh" "$busybox" "${modfiles[@]}"
}

exec 9>"$out_dir/.initramfs.lock"
flock 9

want=$(new_stamp)
if [ -s "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

tmp=$(mktemp -d "$out_dir/.initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$here/init" "$root/init"

# Uncompressed copies, numbered so `ls` gives the load order (busybox
# insmod cannot read compressed modules).
i=10
for f in "${modfiles[@]}"; do
	name=$(basename "$f")
	base=${name%%.ko*}
	dst=$root/modules/$i-$base.ko
	case "$name" in
	*.ko) cp "$f" "$dst" ;;
	*.ko.xz) xz -dc "$f" >"$dst" ;;
	*.ko.zst) zstd -qdc "$f" >"$dst" ;;
	*.ko.gz) gzip -dc "$f" >"$dst" ;;
	esac
	i=$((i + 1))
done
echo "$kver" >"$root/kver"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	"$busybox" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -6n >"$tmp/initramfs.cpio.gz"
[ -s "$tmp/initramfs.cpio.gz" ] || die "cpio failed"
mv -f "$tmp/initramfs.cpio.gz" "$out"
echo "$want" >"$stamp.tmp" && mv -f "$stamp.tmp" "$stamp"
echo "build-initramfs: built $out for $kver" >&2
