# The transmit longest-prefix-match trie (kmod/lpm.c, freestanding): its
# libcheck suite and a libFuzzer target that checks it against a brute-force
# reference. tests/tools/peerbatch installs many peers for the VM bench
# (bench/lpm_bench_guest.sh).
UNIT_TESTS += lpm
unit_lpm_SRCS := tests/unit/test_lpm.c kmod/lpm.c
FUZZERS += lpm
fuzz_lpm_SRCS := tests/fuzz/fuzz_lpm.c kmod/lpm.c
