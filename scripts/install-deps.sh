#!/bin/bash
# Installs the Debian packages every component lists in mk/*.deps, if any is
# missing, and the kernel headers of the kernel the VM boots (the newest
# /boot/vmlinuz-*-amd64), which the module is built against. Needs root for
# apt-get; without root it names what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

updated=0
install() {	# PACKAGE...
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing Debian packages: $*" >&2
		echo "install-deps: run as root, or: apt-get install $*" >&2
		exit 1
	fi
	echo "install-deps: installing $*"
	export DEBIAN_FRONTEND=noninteractive
	[ $updated = 1 ] || apt-get update -qq
	updated=1
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

mapfile -t wanted < <(cat mk/*.deps | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=()
for p in "${wanted[@]}"; do
	installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || install "${missing[@]}"

# The headers must be those of the guest kernel, not merely the newest
# ones: a module built for another ABI does not load (vermagic).
vmlinuz=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
if [ -n "$vmlinuz" ]; then
	kver=${vmlinuz#/boot/vmlinuz-}
	[ -d "/usr/src/linux-headers-$kver" ] || install "linux-headers-$kver"
fi
