# STUN codec (RFC 8489, RFC 8445 s.16.1) and client transactions
# (RFC 8489 s.6.2.1) on an abstract clock. HMAC from OpenSSL libcrypto,
# CRC-32 (FINGERPRINT) from zlib.
AGENT_SRCS += agent/stun.c agent/stun_txn.c agent/clock.c
AGENT_LIBS += -lcrypto -lz

UNIT_TESTS += stun stun_txn
unit_stun_SRCS := tests/unit/test_stun.c agent/stun.c
unit_stun_LIBS := -lcrypto -lz
unit_stun_txn_SRCS := tests/unit/test_stun_txn.c agent/stun_txn.c \
		      agent/clock.c agent/stun.c
unit_stun_txn_LIBS := -lcrypto -lz

FUZZERS += stun
fuzz_stun_SRCS := tests/fuzz/fuzz_stun.c agent/stun.c
fuzz_stun_LIBS := -lcrypto -lz
