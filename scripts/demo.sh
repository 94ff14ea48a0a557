#!/bin/bash
# make demo: build, boot the Debian kernel under QEMU, load mice.ko and run
# the main scenario (scripts/demo-guest.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
exec scripts/vm-run.sh --module kmod/mice.ko --rmmod --timeout 600 -- scripts/demo-guest.sh
