# The freestanding STUN/MIP/DATA classifier (kmod/classify.c, seed 004 s.12):
# its libcheck suite and its libFuzzer target. Userspace gets mice_crc32()
# from zlib (tests/unit/crc_zlib.c). bench/classify_callgrind.sh counts its
# instructions per packet.
UNIT_TESTS += classify
unit_classify_SRCS := tests/unit/test_classify.c tests/unit/pkt.c \
		      tests/unit/crc_zlib.c kmod/classify.c
unit_classify_LIBS := -lz
FUZZERS += classify
fuzz_classify_SRCS := tests/fuzz/fuzz_classify.c tests/unit/crc_zlib.c \
		      kmod/classify.c
fuzz_classify_LIBS := -lz
