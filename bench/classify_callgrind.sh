#!/bin/sh
# Instructions per packet of mice_classify() (kmod/classify.c), measured
# with callgrind collecting only inside mice_classify() and what it calls.
# In userspace mice_crc32() is zlib's crc32_z (tests/unit/crc_zlib.c), so
# the STUN rows include zlib's CRC; the module uses the kernel's crc32_le.
# Usage: bench/classify_callgrind.sh [N]   (N packets per kind, default 10000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000}
CC=${CC:-cc}
OUT=build/bench
mkdir -p "$OUT"
command -v valgrind >/dev/null 2>&1 || {
	echo "classify_callgrind: valgrind not installed" >&2
	exit 1
}
$CC -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iuapi -Ikmod \
	-Itests/unit -o "$OUT/classify_bench" bench/classify_bench.c \
	kmod/classify.c tests/unit/pkt.c tests/unit/crc_zlib.c -lz

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '%-14s %6s %-8s %-14s %12s\n' kind bytes class reason instr/pkt
for kind in stun28 stun100 stun500 stun1000 mh mh_ambiguous ipv4 ipv6 \
	    garbage garbage00; do
	res=$(valgrind --tool=callgrind --toggle-collect=mice_classify \
		--callgrind-out-file="$TMP/cg.$kind" \
		"$OUT/classify_bench" "$kind" "$N" 2>"$TMP/log.$kind")
	ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$TMP/cg.$kind")
	set -- $res
	awk -v k="$1" -v b="$2" -v c="$3" -v r="$4" -v ir="$ir" -v n="$N" \
		'BEGIN { printf "%-14s %6d %-8s %-14s %12.1f\n", k, b, c, r, ir / n }'
done
