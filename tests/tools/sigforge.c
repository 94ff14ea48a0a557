// SPDX-License-Identifier: GPL-2.0
/*
 * sigforge: crafts M-ICE offers and answers (agent/sigmsg.h,
 * docs/signalling.md) for the attack suite, and sends them, or bytes
 * captured earlier, from a chosen source address.
 *
 *   sigforge offer|answer --from NAME --to NAME --key-file FILE
 *            [--seq N] [--ts-offset SECONDS] [--ufrag U]
 *            [--cand ADDR:PORT]... [--mikey-hex HEX]
 *            [--out FILE] [--src ADDR:PORT] [--dst ADDR:PORT]
 *   sigforge resend --in FILE [--src ADDR:PORT] --dst ADDR:PORT
 *
 * The message is authenticated under the key in --key-file (the bytes of
 * the file, trailing newlines cut, as the daemon reads a psk-file); the
 * file must not be readable by group or others. Its timestamp is now plus
 * --ts-offset; its MIKEY part is --mikey-hex, by default 32 bytes that are
 * no MIKEY message. --out writes the encoded message to FILE, --dst sends
 * it (or, with resend, the bytes of --in) as one UDP datagram.
 *
 * --src binds the sending socket to ADDR:PORT with IP_TRANSPARENT, so the
 * address need not be one of this host's: a test spoofs the source of a
 * Home Agent this way (needs CAP_NET_ADMIN).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../agent/sigmsg.h"
#include "toolarg.h"

#define PROG "sigforge"
#define KEY_MAX 64

static int parse_addr(const char *s, struct ice_addr *a)
{
	char host[64];
	const char *colon;
	uint8_t ip[16];
	long port;
	size_t n;
	int fam;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			goto bad;
		n = (size_t)(end - s - 1);
		if (n >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		colon = end + 1;
		fam = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		n = (size_t)(colon - s);
		memcpy(host, s, n);
		host[n] = '\0';
		fam = AF_INET;
	}
	if (inet_pton(fam, host, ip) != 1 ||
	    tool_parse_num(PROG, "port", colon + 1, 0, 65535, &port))
		goto bad;
	ice_addr_set(a, fam, ip, (uint16_t)port);
	return 0;
bad:
	fprintf(stderr, "%s: invalid address '%s': expected ADDR:PORT\n",
		PROG, s);
	return -1;
}

/* The key as the daemon reads a psk-file; refused if others may read it. */
static int read_key(const char *path, uint8_t *key, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		fprintf(stderr, "%s: %s: readable by group or others "
			"(chmod 600 %s)\n", PROG, path, path);
		close(fd);
		return -1;
	}
	n = read(fd, key, KEY_MAX);
	close(fd);
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
		n--;
	if (n < 16) {
		fprintf(stderr, "%s: %s: expected a key of 16 to %d bytes\n",
			PROG, path, KEY_MAX);
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

static int parse_hex(const char *s, uint8_t *buf, size_t cap, size_t *len)
{
	size_t n = 0;

	while (s[0] && s[1] && n < cap) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			break;
		buf[n++] = (uint8_t)v;
		s += 2;
	}
	if (*s || !n) {
		fprintf(stderr, "%s: invalid --mikey-hex: expected 1 to %zu "
			"bytes in hex\n", PROG, cap);
		return -1;
	}
	*len = n;
	return 0;
}

static int send_bytes(const struct ice_addr *src, const struct ice_addr *dst,
		      const uint8_t *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd;

	fd = socket(dst->family, SOCK_DGRAM, 0);
	if (fd < 0)
		goto err;
	if (src->family) {
		if (setsockopt(fd, dst->family == AF_INET ? SOL_IP : SOL_IPV6,
			       dst->family == AF_INET ? IP_TRANSPARENT :
			       IPV6_TRANSPARENT, &one, sizeof(one)) ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			goto err;
		ice_addr_to_sockaddr(src, &ss, &sl);
		if (bind(fd, (struct sockaddr *)&ss, sl))
			goto err;
	}
	ice_addr_to_sockaddr(dst, &ss, &sl);
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) != (ssize_t)len)
		goto err;
	close(fd);
	return 0;
err:
	fprintf(stderr, "%s: send: %s\n", PROG, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s offer|answer --from NAME --to NAME --key-file FILE\n"
		"         [--seq N] [--ts-offset S] [--ufrag U] [--cand ADDR:PORT]...\n"
		"         [--mikey-hex HEX] [--out FILE] [--src ADDR:PORT] [--dst ADDR:PORT]\n"
		"       %s resend --in FILE [--src ADDR:PORT] --dst ADDR:PORT\n",
		PROG, PROG);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "seq", required_argument, NULL, 'q' },
		{ "ts-offset", required_argument, NULL, 'T' },
		{ "ufrag", required_argument, NULL, 'u' },
		{ "cand", required_argument, NULL, 'c' },
		{ "mikey-hex", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "in", required_argument, NULL, 'i' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	static struct sig_msg m;
	static uint8_t buf[MH_MAX_LEN];
	const char *key_file = NULL, *out = NULL, *in = NULL, *why, *cmd;
	struct ice_addr src = { 0 }, dst = { 0 };
	uint8_t key[KEY_MAX];
	size_t key_len = 0, len = 0;
	long v, ts_off = 0;
	int c, ret = 1;

	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	memset(&m, 0, sizeof(m));
	m.seq = 1;
	m.has_ice = true;
	snprintf(m.ice.ufrag, sizeof(m.ice.ufrag), "forged00");
	snprintf(m.ice.pwd, sizeof(m.ice.pwd), "MIKEYderivedICEpwd0000");
	m.mikey_len = 32;
	memset(m.mikey, 0x5a, m.mikey_len);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			snprintf(m.from, sizeof(m.from), "%s", optarg);
			break;
		case 't':
			snprintf(m.to, sizeof(m.to), "%s", optarg);
			break;
		case 'k':
			key_file = optarg;
			break;
		case 'q':
			if (tool_parse_num(PROG, "seq", optarg, 0, 65535, &v))
				return 2;
			m.seq = (uint16_t)v;
			break;
		case 'T':
			if (tool_parse_num(PROG, "ts-offset", optarg, -100000,
					   100000, &ts_off))
				return 2;
			break;
		case 'u':
			snprintf(m.ice.ufrag, sizeof(m.ice.ufrag), "%s", optarg);
			break;
		case 'c': {
			struct mipice_cand *mc;

			if (m.ice.n_cand >= MIPICE_CAND_MAX) {
				fprintf(stderr, "%s: too many --cand\n", PROG);
				return 2;
			}
			mc = &m.ice.cand[m.ice.n_cand];
			if (parse_addr(optarg, &mc->addr))
				return 2;
			mc->type = ICE_CAND_HOST;
			mc->component = 1;
			mc->transport = 17;
			mc->priority = 2130706431u - m.ice.n_cand++;
			break;
		}
		case 'm':
			if (parse_hex(optarg, m.mikey, sizeof(m.mikey),
				      &m.mikey_len))
				return 2;
			break;
		case 'o':
			out = optarg;
			break;
		case 'i':
			in = optarg;
			break;
		case 's':
			if (parse_addr(optarg, &src))
				return 2;
			break;
		case 'd':
			if (parse_addr(optarg, &dst))
				return 2;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (!strcmp(cmd, "resend")) {
		FILE *f;

		if (!in || !dst.family) {
			usage();
			return 2;
		}
		f = fopen(in, "rb");
		if (!f) {
			fprintf(stderr, "%s: %s: %s\n", PROG, in, strerror(errno));
			return 1;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		return send_bytes(&src, &dst, buf, len) ? 1 : 0;
	}
	if (strcmp(cmd, "offer") && strcmp(cmd, "answer")) {
		usage();
		return 2;
	}
	if (!m.from[0] || !m.to[0] || !key_file || (!out && !dst.family)) {
		usage();
		return 2;
	}
	if (read_key(key_file, key, &key_len))
		return 1;
	m.kind = strcmp(cmd, "offer") ? SIG_ANSWER : SIG_OFFER;
	m.timestamp = (uint64_t)((long)time(NULL) + ts_off);
	if (sig_encode(&m, key, key_len, buf, sizeof(buf), &len, &why)) {
		fprintf(stderr, "%s: cannot encode: %s\n", PROG, why);
		goto out;
	}
	if (out) {
		FILE *f = fopen(out, "wb");

		if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
			fprintf(stderr, "%s: %s: %s\n", PROG, out, strerror(errno));
			goto out;
		}
	}
	if (dst.family && send_bytes(&src, &dst, buf, len))
		goto out;
	ret = 0;
out:
	memset(key, 0, sizeof(key));
	return ret;
}
