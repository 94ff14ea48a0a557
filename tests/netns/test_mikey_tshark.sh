#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-checks the MIKEY encoder (RFC 3830 s.6, RFC 4650) against an
# independent decoder: Wireshark's MIKEY dissector (tshark, Debian package
# tshark). The messages are written into a pcap as UDP port 2269 datagrams
# and must dissect without a malformed or error mark, with every payload
# we wrote. Needs no network namespace and no module.
# Prints PASS/FAIL lines and exits non-zero on any FAIL.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in tshark text2pcap cc od; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed (apt-get install tshark)"; exit 77; }
done
TMP=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

# A generator built from the agent sources: the mice mikey CLI (behind a
# stub main) plus a message using every payload type of the encoder.
cat > "$TMP/gen.c" <<'EOF'
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "mikey.h"
int cmd_mikey(int argc, char **argv, const struct cli_opts *opts);
void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	putchar('\n');
}

/* HDR, T, RAND, ID, SP, DH, GEXT, V, KEMAC(NULL: TGK, TGK+SALT,
 * TEK/SPI, TEK+SALT/interval) */
static void all_payloads(void)
{
	static const uint8_t rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					 12, 13, 14, 15, 16 };
	static const uint8_t spp[] = { 0, 1, 1, 1, 1, 16, 2, 1, 1 };
	static const uint8_t key[16] = { 0xAA }, salt[14] = { 0xBB };
	static const uint8_t spi[4] = { 9, 8, 7, 6 }, vf[6] = { 0, 0, 0, 0, 0, 1 },
			     vt[6] = { 0, 0, 0, 1, 0, 0 };
	uint8_t buf[2048], kdb[256], dh[192];
	struct mikey_hdr h = { .version = 1, .data_type = MIKEY_DT_PSK_INIT,
			       .v = true, .csb_id = 0xDEADBEEF, .n_cs = 2 };
	struct mikey_keydata kd[4] = {
		{ .type = MIKEY_KD_TGK, .key = key, .key_len = 16 },
		{ .type = MIKEY_KD_TGK_SALT, .key = key, .key_len = 16,
		  .salt = salt, .salt_len = 14 },
		{ .type = MIKEY_KD_TEK, .key = key, .key_len = 16,
		  .kv = { .type = MIKEY_KV_SPI, .spi = spi, .spi_len = 4 } },
		{ .type = MIKEY_KD_TEK_SALT, .key = key, .key_len = 16,
		  .salt = salt, .salt_len = 14,
		  .kv = { .type = MIKEY_KV_INTERVAL, .vf = vf, .vf_len = 6,
			  .vt = vt, .vt_len = 6 } },
	};
	struct mikey_enc e, ke;
	size_t kl, mo;

	memset(dh, 0x5A, sizeof(dh));
	h.cs[0] = (struct mikey_srtp_cs){ 1, 0xA1B2C3D4, 7 };
	h.cs[1] = (struct mikey_srtp_cs){ 2, 0x01020304, 9 };
	mikey_enc_init(&ke, kdb, sizeof(kdb));
	for (int i = 0; i < 4; i++)
		mikey_enc_keydata(&ke, &kd[i]);
	kl = mikey_enc_finish(&ke);
	mikey_enc_init(&e, buf, sizeof(buf));
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, 0xEEAEAA7300000000ULL);
	mikey_enc_rand(&e, rnd, sizeof(rnd));
	mikey_enc_id(&e, MIKEY_ID_URI, (const uint8_t *)"sip:a@b.invalid", 15);
	mikey_enc_sp(&e, 3, MIKEY_PROT_SRTP, spp, sizeof(spp));
	/* KV data in DH is left out: Wireshark's dissector stops at a DH
	 * payload whose KV is not null (its limitation; our codec handles
	 * it, see test_mikey.c codec_round_trip_every_payload). */
	mikey_enc_dh(&e, MIKEY_DH_OAKLEY5, dh, sizeof(dh), NULL);
	mikey_enc_gext(&e, MIKEY_GEXT_VENDOR_ID, rnd, 5);
	mikey_enc_v(&e, MIKEY_MAC_HMAC_SHA1_160, &mo);
	mikey_enc_kemac(&e, MIKEY_ENCR_NULL, kdb, kl, MIKEY_MAC_HMAC_SHA1_160, &mo);
	hex(buf, mikey_enc_finish(&e));
}

/* HDR, KEMAC(NULL, one Key Data sub-payload of kind @which). Wireshark
 * 4.0 shows only the first sub-payload of a KEMAC, so each kind gets its
 * own message. */
static void one_keydata(int which)
{
	static const uint8_t key[16] = { 0xAA }, salt[14] = { 0xBB };
	static const uint8_t spi[4] = { 9, 8, 7, 6 }, vf[6] = { 0, 0, 0, 0, 0, 1 },
			     vt[6] = { 0, 0, 0, 1, 0, 0 };
	const struct mikey_keydata kd[3] = {
		{ .type = MIKEY_KD_TGK_SALT, .key = key, .key_len = 16,
		  .salt = salt, .salt_len = 14 },
		{ .type = MIKEY_KD_TEK, .key = key, .key_len = 16,
		  .kv = { .type = MIKEY_KV_SPI, .spi = spi, .spi_len = 4 } },
		{ .type = MIKEY_KD_TEK_SALT, .key = key, .key_len = 16,
		  .salt = salt, .salt_len = 14,
		  .kv = { .type = MIKEY_KV_INTERVAL, .vf = vf, .vf_len = 6,
			  .vt = vt, .vt_len = 6 } },
	};
	struct mikey_hdr h = { .version = 1, .data_type = MIKEY_DT_PSK_INIT,
			       .csb_id = 1 };
	uint8_t buf[256], kdb[128];
	struct mikey_enc e, ke;
	size_t kl, mo;

	mikey_enc_init(&ke, kdb, sizeof(kdb));
	mikey_enc_keydata(&ke, &kd[which]);
	kl = mikey_enc_finish(&ke);
	mikey_enc_init(&e, buf, sizeof(buf));
	mikey_enc_hdr(&e, &h);
	mikey_enc_kemac(&e, MIKEY_ENCR_NULL, kdb, kl, MIKEY_MAC_HMAC_SHA1_160, &mo);
	hex(buf, mikey_enc_finish(&e));
}

/* HDR(Error), T, ERR, V */
static void err_msg(void)
{
	uint8_t buf[256];
	struct mikey_hdr h = { .version = 1, .data_type = MIKEY_DT_ERROR,
			       .csb_id = 42 };
	struct mikey_enc e;
	size_t mo;

	mikey_enc_init(&e, buf, sizeof(buf));
	mikey_enc_hdr(&e, &h);
	mikey_enc_t(&e, MIKEY_TS_NTP_UTC, 0xEEAEAA7300000000ULL);
	mikey_enc_err(&e, MIKEY_ERR_INVALID_TS);
	mikey_enc_v(&e, MIKEY_MAC_HMAC_SHA1_160, &mo);
	hex(buf, mikey_enc_finish(&e));
}

int main(int argc, char **argv)
{
	struct cli_opts o = { 0 };

	if (argc > 1 && !strcmp(argv[1], "all"))
		return all_payloads(), 0;
	if (argc > 1 && !strncmp(argv[1], "kd", 2))
		return one_keydata(argv[1][2] - '0'), 0;
	if (argc > 1 && !strcmp(argv[1], "err"))
		return err_msg(), 0;
	return argc > 1 ? cmd_mikey(argc - 1, argv + 1, &o) : 2;
}
EOF
if ! cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Iagent -o "$TMP/gen" "$TMP/gen.c" \
	agent/cmd_mikey.c agent/keyfile.c agent/json.c agent/mikey_prf.c agent/mikey.c \
	agent/mikey_exchange.c -lcrypto 2>"$TMP/cc.log"; then
	cat "$TMP/cc.log"
	fail "building the generator"
	exit 1
fi

# check NAME HEX DATA_TYPE_TEXT LINKS: LINKS is the number of "Next Payload"
# fields tshark shows: the header's and one per payload (tshark shows none
# for Key Data sub-payloads).
check() {
	local name=$1 hexmsg=$2 dt=$3 want=$4 out n
	printf '%s' "$hexmsg" | xxd -r -p | od -Ax -tx1 -v > "$TMP/$name.txt"
	if ! text2pcap -q -u 2269,2269 "$TMP/$name.txt" "$TMP/$name.pcap" 2>/dev/null; then
		fail "$name: text2pcap"
		return
	fi
	out=$(tshark -r "$TMP/$name.pcap" -V -d udp.port==2269,mikey 2>&1)
	if ! grep -q 'Multimedia Internet KEYing' <<<"$out"; then
		fail "$name: tshark did not dissect MIKEY"
		return
	fi
	if grep -Eqi 'malformed|Expert Info \(Error|Expert Info \(Warn|exception' <<<"$out"; then
		fail "$name: tshark marks the message: $(grep -Ei 'malformed|expert|exception' <<<"$out" | head -3)"
		return
	fi
	if ! grep -q "Data Type: $dt" <<<"$out"; then
		fail "$name: data type '$dt' not seen"
		return
	fi
	n=$(grep -c 'Next Payload:' <<<"$out")
	if [ "$n" != "$want" ]; then
		fail "$name: $n Next Payload fields, expected $want"
		return
	fi
	pass "$name: tshark dissects $((${#hexmsg} / 2)) bytes, $n payload links, no error marks"
}

for kind in psk psk-aes dhhmac; do
	if ! "$TMP/gen" mikey example "$kind" > "$TMP/$kind.hex"; then
		fail "$kind: exchange failed"
		continue
	fi
	i=$(sed -n 1p "$TMP/$kind.hex")
	r=$(sed -n 2p "$TMP/$kind.hex")
	case $kind in
	psk)	 check psk-imsg "$i" "Pre-shared" 7	# HDR T RAND ID ID SP KEMAC
		 check psk-rmsg "$r" "PSK ver msg" 4 ;;	# HDR T ID V
	psk-aes) check psk-aes-imsg "$i" "Pre-shared" 7
		 check psk-aes-rmsg "$r" "PSK ver msg" 4 ;;
	dhhmac)	 check dhhmac-imsg "$i" "DHHMAC init" 8	# HDR T RAND ID ID SP DH KEMAC
		 check dhhmac-rmsg "$r" "DHHMAC resp" 7 ;;	# HDR T ID ID DH DH KEMAC
	esac
done
check all-payloads "$("$TMP/gen" all)" "Pre-shared" 9
check error-msg "$("$TMP/gen" err)" "Error" 4

# The dissector's view of the fields we set must match ours.
# fields NAME GENERATOR-ARG PATTERN...
fields() {
	local name=$1 arg=$2 out
	shift 2
	"$TMP/gen" "$arg" | xxd -r -p | od -Ax -tx1 -v > "$TMP/$name.txt"
	text2pcap -q -u 2269,2269 "$TMP/$name.txt" "$TMP/$name.pcap" 2>/dev/null
	out=$(tshark -r "$TMP/$name.pcap" -V -d udp.port==2269,mikey 2>&1)
	if grep -Eqi 'malformed|Expert Info \(Error|Expert Info \(Warn|exception' <<<"$out"; then
		fail "$name: tshark marks the message"
		return
	fi
	for want in "$@"; do
		if grep -qF -- "$want" <<<"$out"; then
			pass "$name: tshark shows '$want'"
		else
			fail "$name: tshark does not show '$want'"
		fi
	done
}
fields all-payloads all 'CSB ID: 0xdeadbeef' 'SSRC: 0xa1b2c3d4' 'ROC: 0x00000009' \
	'ID: sip:a@b.invalid' 'DH-Group: OAKLEY 5' 'Policy No: 3' \
	'Policy param length: 9' 'Authentication algorithm: HMAC-SHA-1 (1)' \
	'Type: TGK (0)' 'Key len: 16' 'Auth alg: HMAC-SHA-1-160' \
	'General Extension' 'RAND: 0102030405060708090a0b0c0d0e0f10'
fields keydata-tgk-salt kd0 'Type: TGK+SALT (1)' 'Salt key len: 14' \
	'Salt key: bb00000000000000000000000000'
fields keydata-tek-spi kd1 'Type: TEK (2)' 'KV: SPI/MKI (1)' \
	'Valid SPI len: 4' 'Valid SPI: 09080706'
fields keydata-tek-salt-interval kd2 'Type: TEK+SALT (3)' 'KV: Interval (2)' \
	'Valid from: 000000000001' 'Valid to: 000000010000'
fields error-msg err 'Error no.: Invalid timestamp (1)' 'Auth alg: HMAC-SHA-1-160 (1)'

echo "$([ $fails = 0 ] && echo PASS || echo FAIL): test_mikey_tshark ($fails failures)"
[ $fails = 0 ]
