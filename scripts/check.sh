#!/bin/bash
# make check: builds everything, then runs every suite and ends with the
# line "N passed, N failed". Exit status 0 only when nothing failed.
#
# Suites: the module build at W=1; the netlink spec (uapi/mice.yaml) against
# the uapi header and the module's policies; libcheck unit suites, plain and under
# ASan+UBSan; every libFuzzer target for MICE_FUZZ_SECONDS (default 30);
# the VM suites (the module in a real Debian kernel under QEMU); the host
# network-namespace suites in tests/netns/.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=build/check
mkdir -p "$out"
: > "$out/results"
fuzz_seconds=${MICE_FUZZ_SECONDS:-30}
jobs=$(nproc)

record() {	# STATUS NAME [DETAIL]
	echo "$1 $2" >> "$out/results"
	if [ "$1" = PASS ]; then echo "PASS: $2"; else echo "FAIL: $2${3:+: $3}"; fi
}

section() { echo; echo "=== $* ==="; }

section build
if make -s -j"$jobs" all > "$out/build.log" 2>&1; then
	record PASS build
else
	record FAIL build "see $out/build.log"; tail -30 "$out/build.log"
fi
if make -s W1 > "$out/w1.log" 2>&1; then
	record PASS module-builds-at-W=1
else
	record FAIL module-builds-at-W=1 "$(grep -E 'warning:|error:' "$out/w1.log" | head -5)"
fi

section "netlink spec (uapi/mice.yaml against uapi/linux/mice.h and kmod policies)"
/usr/bin/python3 tests/spec/check_spec.py > "$out/spec.log" 2>&1
rc=$?
grep -E '^(PASS|FAIL): ' "$out/spec.log" | while read -r st rest; do
	echo "${st%:} spec/${rest%%:*}" >> "$out/results"
done
grep -E '^FAIL: |passed, ' "$out/spec.log" | sed 's/^/    /'
# a crash (no FAIL line, non-zero exit) fails too
if [ $rc != 0 ] && ! grep -qE '^FAIL: ' "$out/spec.log"; then
	record FAIL spec/check_spec "exit $rc, see $out/spec.log"; tail -5 "$out/spec.log"
fi

section "unit suites (libcheck; plain and ASan+UBSan)"
units=$(make -s print-UNIT_TESTS)
for t in $units; do
	for v in unit asan; do
		bin=build/$v/test_$t
		if ! make -s "$bin" > "$out/$v-$t.build" 2>&1; then
			record FAIL "$v/$t" "does not build: $(head -5 "$out/$v-$t.build")"
			continue
		fi
		CK_FORK=yes timeout 600 "$bin" > "$out/$v-$t.log" 2>&1
		rc=$?
		line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$out/$v-$t.log" | tail -1)
		if [ -z "$line" ]; then
			record FAIL "$v/$t" "no libcheck summary (rc $rc)"; tail -5 "$out/$v-$t.log"
			continue
		fi
		checks=$(sed 's/.*Checks: \([0-9]*\).*/\1/' <<<"$line")
		bad=$(( $(sed 's/.*Failures: \([0-9]*\).*/\1/' <<<"$line") + $(sed 's/.*Errors: \([0-9]*\).*/\1/' <<<"$line") ))
		echo "$v/$t: $line"
		for i in $(seq $((checks - bad))); do echo "PASS $v/$t#$i" >> "$out/results"; done
		if [ "$bad" -gt 0 ] || [ $rc != 0 ]; then
			grep -E ':[EF]:' "$out/$v-$t.log" | head -10
			for i in $(seq $((bad > 0 ? bad : 1))); do echo "FAIL $v/$t" >> "$out/results"; done
		fi
	done
done

section "fuzzers (libFuzzer, ${fuzz_seconds}s each)"
for f in $(make -s print-FUZZERS); do
	bin=build/fuzz/fuzz_$f
	if ! make -s "$bin" > "$out/fuzz-$f.build" 2>&1; then
		record FAIL "fuzz/$f" "does not build: $(head -5 "$out/fuzz-$f.build")"
		continue
	fi
	corpus=$out/corpus-$f
	rm -rf "$corpus"; mkdir -p "$corpus"
	[ -d tests/fuzz/corpus/$f ] && cp -r tests/fuzz/corpus/$f/. "$corpus/"
	if (cd "$out" && timeout $((fuzz_seconds + 120)) "$repo/$bin" \
		-max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -print_final_stats=1 \
		"corpus-$f" > "fuzz-$f.log" 2>&1); then
		record PASS "fuzz/$f" 
		grep -E 'stat::number_of_executed_units' "$out/fuzz-$f.log" | sed "s/^/    $f /"
	else
		record FAIL "fuzz/$f" "crash or timeout, see $out/fuzz-$f.log"
		grep -E 'ERROR|SUMMARY|==[0-9]+==' "$out/fuzz-$f.log" | head -5
	fi
done

section "VM suites (Debian kernel under QEMU TCG, module loaded)"
# vm_suite NAME HARNESS-ARGS... -- SCRIPT: counts the script's PASS/FAIL
# lines and, separately, whether the run itself (dmesg, unload) was clean.
vm_suite() {
	local name=$1; shift
	scripts/vm-run.sh "$@" > "$out/vm-$name.log" 2>&1
	local rc=$?
	grep -E '^(PASS|FAIL): ' "$out/vm-$name.log" | while read -r st rest; do
		echo "${st%:} vm/$name/${rest%%:*}" >> "$out/results"
	done
	grep -E '^(PASS|FAIL): ' "$out/vm-$name.log" | sed 's/^/    /'
	if [ $rc = 0 ]; then
		record PASS "vm/$name/run-clean"
	else
		record FAIL "vm/$name/run-clean" "vm-run status $rc"
		grep -E '^vm-run:|^\[vm\]' "$out/vm-$name.log" | tail -15
	fi
}
vm_suite demux --module kmod/mice.ko --rmmod --timeout 600 -- tests/vm/test_demux.sh
vm_suite lifecycle --module kmod/mice.ko --timeout 600 -- tests/vm/test_lifecycle.sh
vm_suite datapath --module kmod/mice.ko --timeout 600 -- tests/vm/test_datapath.sh
vm_suite gates --module kmod/mice.ko --timeout 600 -- tests/vm/test_gates.sh
vm_suite fullstack --module kmod/mice.ko --rmmod --timeout 600 -- tests/vm/test_fullstack.sh
vm_suite relay_datapath --module kmod/mice.ko --rmmod --timeout 600 -- tests/vm/test_relay_datapath.sh
vm_suite offloads --module kmod/mice.ko --rmmod --timeout 600 -- tests/vm/test_offloads.sh
vm_suite spec_client --module kmod/mice.ko --rmmod --timeout 600 -- tests/vm/test_spec_client.sh
vm_suite lpm --module kmod/mice.ko --rmmod --timeout 600 -- tests/vm/test_lpm.sh
# the daemon suite again on the Debian kernel, which has sch_netem for its
# delay-and-loss case (the host kernel may not)
vm_suite daemon --timeout 600 -- tests/netns/test_daemon.sh
for t in tests/vm/selftest_*.sh; do
	[ -x "$t" ] || continue
	n=$(basename "$t" .sh)
	if "$t" > "$out/$n.log" 2>&1; then record PASS "vm/$n"; else
		record FAIL "vm/$n" "see $out/$n.log"; tail -5 "$out/$n.log"; fi
done

# host_suite GROUP SCRIPT LOG: runs a host (namespace) test script, bounded
# in time, and counts its PASS/FAIL lines as GROUP/NAME/CASE; a non-zero
# exit is a failure of its own.
host_suite() {
	local group=$1 t=$2 log=$3 n rc

	[ -x "$t" ] || return 0
	n=$(basename "$t" .sh)
	timeout 900 "$t" > "$log" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL): ' "$log" | while read -r st rest; do
		echo "${st%:} $group/$n/${rest%%:*}" >> "$out/results"
	done
	grep -E '^(PASS|FAIL|SKIP): ' "$log" | sed 's/^/    /'
	[ $rc = 0 ] || record FAIL "$group/$n" "exit $rc, see $log"
}

section "attack suite (tests/attack: each attack changes nothing)"
# test_*.sh run on the host in namespaces; vm_*.sh run in the VM with the
# module loaded (and unloaded after, so a leaked reference fails the run).
for t in tests/attack/test_*.sh; do
	host_suite attack "$t" "$out/attack-$(basename "$t" .sh).log"
done
for t in tests/attack/vm_*.sh; do
	[ -x "$t" ] || continue
	vm_suite "attack-$(basename "$t" .sh)" --module kmod/mice.ko --rmmod --timeout 600 -- "$t"
done

section "host network-namespace suites"
for t in tests/netns/test_*.sh; do
	host_suite netns "$t" "$out/$(basename "$t" .sh).log"
done

passed=$(grep -c '^PASS ' "$out/results")
failed=$(grep -c '^FAIL ' "$out/results")
echo
if [ "$failed" -gt 0 ]; then
	echo "Failed:"; grep '^FAIL ' "$out/results" | sed 's/^FAIL /  /' | sort -u
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
