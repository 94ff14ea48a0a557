// SPDX-License-Identifier: GPL-2.0
/*
 * relayforge: crafts what an attacker (or a test node) sends to a Home
 * Agent: registrations, relay Send indications signed or not, raw media,
 * offers and answers with or without a hop authenticator and an observed-
 * address option (docs/signalling.md, docs/security.md). One UDP socket,
 * bound to --from, so that several actions share a source address and port.
 *
 *   relayforge --ha ADDR:PORT [--from ADDR:PORT] [FLAG...] ACTION ARG...
 *
 * Actions, in order; the flags before an action apply to it only:
 *   register NAME          a registration, signed with --key if given; prints the
 *                          answer: "registered status S relay ADDR:PORT"
 *   send PEER              a Send indication toward PEER (ADDR:PORT):
 *                          signed with --key (numbered --seq, default now),
 *                          else unsigned; --bind: a bind; --data TEXT
 *   media TEXT             a raw (non-STUN) datagram, as relayed media
 *   file PATH              the bytes of PATH, as they are (a replay)
 *   offer FROM TO          an offer FROM -> TO, end to end under --psk,
 *                          with a fresh MIKEY I_MESSAGE; --answer: an
 *                          answer; --cand ADDR:PORT (up to 4); --observed
 *                          ADDR:PORT (an untagged observed-address option);
 *                          --key: a hop authenticator under that key
 *                          (numbered --seq, default now)
 *   sleep MS
 * --write PATH also saves the datagram an action sends. Keys come from
 * files only, of mode 0600 at most (a key a test leaves readable is a bug).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "mikey_exchange.h"
#include "relay.h"
#include "replay.h"
#include "sigmsg.h"
#include "stun.h"

#define KEY_MAX 64

struct flags {
	const char *key, *psk, *write, *data;
	bool has_seq, bind, answer;
	uint64_t seq;
	struct ice_addr cand[4];
	unsigned int n_cand;
	struct ice_addr observed;
};

static int fd = -1;
static struct ice_addr ha;

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "relayforge: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static void addr_arg(const char *s, struct ice_addr *a)
{
	const char *why;

	if (mice_parse_hostport(s, 0, a, &why))
		die("bad address '%s': expected ADDR:PORT", s);
}

static size_t load_key(const char *path, uint8_t *key)
{
	struct stat st;
	ssize_t n;
	int kfd = open(path, O_RDONLY | O_CLOEXEC);

	if (kfd < 0 || fstat(kfd, &st))
		die("key file %s: cannot open", path);
	if (st.st_mode & 077)
		die("key file %s: readable by group or others (chmod 600 it)", path);
	n = read(kfd, key, KEY_MAX);
	close(kfd);
	while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
		n--;
	if (n < 16)
		die("key file %s: expected 16-64 bytes", path);
	return (size_t)n;
}

static void emit(const char *what, const uint8_t *buf, size_t len,
		 const struct flags *f)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (!len)
		die("cannot build the %s", what);
	if (f->write) {
		FILE *w = fopen(f->write, "w");

		if (!w || fwrite(buf, 1, len, w) != len || fclose(w))
			die("cannot write %s", f->write);
	}
	ice_addr_to_sockaddr(&ha, &ss, &sl);
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) < 0)
		die("sendto: %s", strerror(errno));
	printf("sent %s, %zu bytes\n", what, len);
}

static uint64_t seq_of(const struct flags *f)
{
	uint64_t last = 0;

	return f->has_seq ? f->seq : replay_next_seq(&last, (uint64_t)time(NULL));
}

static void act_register(const char *name, const struct flags *f)
{
	uint8_t key[KEY_MAX], out[512];
	struct sig_msg m;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	const char *why;
	size_t klen, len;
	char a[64] = "none";
	ssize_t n;

	struct timespec ts;

	klen = f->key ? load_key(f->key, key) : 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTER;
	/* newer than the last one even within the same second (sig_newer) */
	m.seq = (uint16_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	m.timestamp = (uint64_t)ts.tv_sec;
	snprintf(m.from, sizeof(m.from), "%s", name);
	if (sig_encode(&m, f->key ? key : NULL, klen, out, sizeof(out), &len,
		       &why))
		die("register: %s", why);
	emit("register", out, len, f);
	if (poll(&p, 1, 2000) != 1 || (n = recv(fd, out, sizeof(out), 0)) <= 0) {
		printf("no answer\n");
		return;
	}
	if (sig_decode(out, (size_t)n, 8, &m, &why) || m.kind != SIG_REGISTERED) {
		printf("bad answer\n");
		return;
	}
	if (m.relay.family) {
		char ip[INET6_ADDRSTRLEN];

		inet_ntop(m.relay.family, m.relay.ip, ip, sizeof(ip));
		snprintf(a, sizeof(a), "%s:%u", ip, m.relay.port);
	}
	printf("registered status %u relay %s\n", m.status, a);
}

static void act_send(const char *peer, const struct flags *f)
{
	uint8_t key[KEY_MAX], out[RELAY_FRAME_MAX];
	const char *data = f->data ? f->data : "relayforge-probe";
	struct ice_addr to;
	size_t klen, len, dlen = f->bind && !f->data ? 0 : strlen(data);

	addr_arg(peer, &to);
	if (f->key) {
		klen = load_key(f->key, key);
		len = relay_send_build(&to, (const uint8_t *)data, dlen, f->bind,
				       seq_of(f), key, klen, out, sizeof(out));
		emit("signed send", out, len, f);
	} else {
		len = relay_frame_build(RELAY_METHOD_SEND, &to,
					(const uint8_t *)data, dlen, f->bind,
					out, sizeof(out));
		emit("unsigned send", out, len, f);
	}
}

static void act_file(const char *path, const struct flags *f)
{
	uint8_t buf[2048];
	FILE *r = fopen(path, "r");
	size_t n;

	if (!r)
		die("cannot read %s", path);
	n = fread(buf, 1, sizeof(buf), r);
	fclose(r);
	emit("file", buf, n, f);
}

static void act_offer(const char *from, const char *to, const struct flags *f)
{
	static struct sig_msg m;
	static struct mikey_init_state st;
	uint8_t psk[KEY_MAX], key[KEY_MAX], out[MH_MAX_LEN], tmp[MH_MAX_LEN];
	struct mikey_init_params ip;
	struct mikey_cfg c;
	const char *why = "?";
	size_t plen, klen, len, mlen;
	unsigned int i;

	if (!f->psk)
		die("offer: needs --psk %s", "FILE");
	plen = load_key(f->psk, psk);
	memset(&m, 0, sizeof(m));
	m.kind = f->answer ? SIG_ANSWER : SIG_OFFER;
	m.seq = 1;
	m.timestamp = (uint64_t)time(NULL);
	snprintf(m.from, sizeof(m.from), "%s", from);
	snprintf(m.to, sizeof(m.to), "%s", to);
	m.has_ice = true;
	snprintf(m.ice.ufrag, sizeof(m.ice.ufrag), "forge%04x",
		 (unsigned int)(time(NULL) & 0xffff));
	snprintf(m.ice.pwd, sizeof(m.ice.pwd), "MIKEYderivedICEpwd0000");
	for (i = 0; i < f->n_cand; i++) {
		struct ice_cand ic;

		memset(&ic, 0, sizeof(ic));
		ic.type = ICE_CAND_HOST;
		ic.transport = ICE_TRANSPORT_UDP;
		ic.component = 1;
		ic.addr = f->cand[i];
		ic.base = f->cand[i];
		ic.local_pref = 65535;
		ic.priority = ice_priority(ICE_TYPE_PREF_HOST, 65535, 1);
		mipice_cand_from_ice(&ic, &m.ice.cand[m.ice.n_cand++]);
	}
	memset(&c, 0, sizeof(c));
	c.psk = psk;
	c.psk_len = plen;
	memset(&ip, 0, sizeof(ip));
	ip.csb_id = (uint32_t)time(NULL);
	ip.encr_alg = MIKEY_ENCR_AES_CM_128;
	ip.verify = true;
	mikey_init_state_clear(&st);
	if (mikey_psk_init_create(&c, &ip, mikey_ntp_now(), &st, m.mikey,
				  SIG_MIKEY_MAX, &mlen, &why))
		die("offer: MIKEY: %s", why);
	m.mikey_len = mlen;
	if (sig_encode(&m, psk, plen, out, sizeof(out), &len, &why))
		die("offer: %s", why);
	if (f->observed.family) {
		if (sig_set_observed(out, len, 8, &f->observed, NULL, 0, tmp,
				     sizeof(tmp), &len, &why))
			die("offer: observed: %s", why);
		memcpy(out, tmp, len);
	}
	if (f->key) {
		klen = load_key(f->key, key);
		if (sig_hop_sign(out, len, 8, seq_of(f), key, klen, tmp,
				 sizeof(tmp), &len, &why))
			die("offer: hop: %s", why);
		memcpy(out, tmp, len);
	}
	emit(f->answer ? "answer" : "offer", out, len, f);
}

int main(int argc, char **argv)
{
	struct ice_addr from = { 0 };
	struct sockaddr_storage ss;
	struct flags f;
	socklen_t sl;
	int i = 1, one = 1;

	if (argc < 3 || strcmp(argv[1], "--ha"))
		die("usage: relayforge --ha ADDR:PORT [--from ADDR:PORT] %s",
		    "[FLAG...] ACTION ARG...");
	addr_arg(argv[2], &ha);
	i = 3;
	if (i + 1 < argc && !strcmp(argv[i], "--from")) {
		addr_arg(argv[i + 1], &from);
		i += 2;
	}
	fd = socket(ha.family, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (from.family) {
		ice_addr_to_sockaddr(&from, &ss, &sl);
		if (bind(fd, (struct sockaddr *)&ss, sl))
			die("bind: %s", strerror(errno));
	}
	memset(&f, 0, sizeof(f));
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--bind")) {
			f.bind = true;
		} else if (!strcmp(a, "--answer")) {
			f.answer = true;
		} else if (!v) {
			die("'%s' needs an argument", a);
		} else if (!strcmp(a, "--key")) {
			f.key = v, i++;
		} else if (!strcmp(a, "--psk")) {
			f.psk = v, i++;
		} else if (!strcmp(a, "--write")) {
			f.write = v, i++;
		} else if (!strcmp(a, "--data")) {
			f.data = v, i++;
		} else if (!strcmp(a, "--seq")) {
			f.seq = strtoull(v, NULL, 0), f.has_seq = true, i++;
		} else if (!strcmp(a, "--cand")) {
			if (f.n_cand == 4)
				die("at most 4 %s", "--cand");
			addr_arg(v, &f.cand[f.n_cand++]), i++;
		} else if (!strcmp(a, "--observed")) {
			addr_arg(v, &f.observed), i++;
		} else if (!strcmp(a, "register")) {
			act_register(v, &f), i++;
			memset(&f, 0, sizeof(f));
		} else if (!strcmp(a, "send")) {
			act_send(v, &f), i++;
			memset(&f, 0, sizeof(f));
		} else if (!strcmp(a, "media")) {
			struct flags g = f;

			emit("media", (const uint8_t *)v, strlen(v), &g), i++;
			memset(&f, 0, sizeof(f));
		} else if (!strcmp(a, "file")) {
			act_file(v, &f), i++;
			memset(&f, 0, sizeof(f));
		} else if (!strcmp(a, "sleep")) {
			usleep((useconds_t)atoi(v) * 1000), i++;
		} else if (!strcmp(a, "offer")) {
			if (i + 2 >= argc)
				die("offer needs %s", "FROM TO");
			act_offer(v, argv[i + 2], &f), i += 2;
			memset(&f, 0, sizeof(f));
		} else {
			die("unknown argument '%s'", a);
		}
	}
	close(fd);
	return 0;
}
