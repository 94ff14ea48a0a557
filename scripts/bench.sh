#!/bin/bash
# make bench: every benchmark, each against a named alternative in the
# same run. Numbers go to stdout; docs/benchmarks.md records a run.
set -uo pipefail
cd "$(dirname "$0")/.."
make -s all

echo "=== classifier instructions per packet (callgrind, userspace) ==="
bench/classify_callgrind.sh

echo
echo "=== demux delivery in the kernel vs a plain UDP socket (VM, TCG) ==="
scripts/vm-run.sh --module kmod/mice.ko --rmmod --timeout 900 -- bench/demux_bench_guest.sh

echo
echo "=== data path: mice vs Linux FOU vs a userspace tun relay (VM, TCG) ==="
scripts/vm-run.sh --module kmod/mice.ko --rmmod --timeout 900 -- bench/datapath_bench_guest.sh

echo
echo "=== forwarding capacity of the tunnel endpoint (DUT), mice vs FOU vs the relay (VM, TCG) ==="
# the generator on one vCPU, the DUT on the other; then all on one
MICE_BENCH_SECONDS=${MICE_BENCH_SECONDS:-3} \
	scripts/vm-run.sh --module kmod/mice.ko --rmmod --timeout 900 -- bench/fwd_bench_guest.sh
MICE_BENCH_SECONDS=${MICE_BENCH_SECONDS:-3} \
	scripts/vm-run.sh --module kmod/mice.ko --rmmod --timeout 900 --smp 1 -- bench/fwd_bench_guest.sh

echo
echo "=== handover gap: the full-stack move with Ta 5 and 50 ms, interleaved (VM, TCG) ==="
bench/handover_bench.sh

echo
echo "=== media admission at scale: 1 to 1M gates, memory per gate, token commits (VM, TCG) ==="
# tsc=reliable: TCG's TSCs are one host clock; without it the guest reads
# time from the emulated HPET, which dominates the admission check's cost.
MICE_VM_APPEND="${MICE_VM_APPEND:-} tsc=reliable" \
	scripts/vm-run.sh --module kmod/mice.ko --rmmod --timeout 1200 -- bench/gates_bench_guest.sh

echo
echo "=== transmit lookup: 1, 1 000 and 100 000 peers, cost ratio against 1 peer (VM, TCG) ==="
MICE_VM_APPEND="${MICE_VM_APPEND:-} tsc=reliable" \
	scripts/vm-run.sh --module kmod/mice.ko --rmmod --timeout 900 -- bench/lpm_bench_guest.sh

echo
echo "=== Home Agent STUN server vs coturn (host, loopback in a namespace) ==="
bench/stun_server_bench.sh

if [ -f bench/mikey_bench.c ]; then
	echo
	echo "=== MIKEY: derivations and exchanges vs raw OpenSSL primitives ==="
	make -s build/bench/mikey_bench && build/bench/mikey_bench
fi
if [ -f bench/admission_bench.c ]; then
	echo
	echo "=== media admission: matcher and policer per call ==="
	make -s build/bench/admission_bench && build/bench/admission_bench
fi
if [ -f bench/ice_bench.sh ]; then
	echo
	echo "=== ICE: answer to nomination and memory per session, mice vs libnice (host, netns) ==="
	bench/ice_bench.sh
fi
