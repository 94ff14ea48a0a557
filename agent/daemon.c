// SPDX-License-Identifier: GPL-2.0
/*
 * mice daemon: one event loop, no threads.
 *
 * --role ha (the Home Agent, seed 004 s.3):
 *   - a STUN Binding server for server-reflexive discovery (s.1.1);
 *   - registrations of its mobile nodes (BU with H, MN-ID);
 *   - the relay of offers and answers to the registered target, byte for
 *     byte (the authenticator is end to end between the mobile nodes).
 * --role mn (a mobile host or gateway):
 *   - host candidates over rtnetlink, a server-reflexive one from the HA's
 *     STUN server (s.1.1, s.4);
 *   - registers with its HA, sends offers / answers carrying the MIP-ICE
 *     option (s.4-6, s.11), runs the connectivity checks (s.7, s.8) and
 *     installs the selected pair in the kernel module (the data path);
 *   - on an address change re-gathers and restarts ICE with a subsequent
 *     offer (s.9).
 * STUN and mobility headers share the one UDP port (s.12): with the module
 * loaded the socket is attached and the kernel demultiplexes; without it
 * the agent classifies in userspace with the same classifier.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "classify.h"
#include "clock.h"
#include "commands.h"
#include "config.h"
#include "control.h"
#include "gather.h"
#include "ice_agent.h"
#include "json.h"
#include "logrl.h"
#include "logsink.h"
#include "keyfile.h"
#include "mikey.h"
#include "mikey_exchange.h"
#include "mikey_prf.h"
#include "mipice.h"
#include "nl.h"
#include "nlmsg.h"
#include "relay.h"
#include "replay.h"
#include "sigmsg.h"
#include "srflx.h"
#include "stun_server.h"

#define DAEMON_MAX_REGS		64
#define DAEMON_REG_EVERY_MS	15000	/* also keeps the NAT binding to the HA */
#define DAEMON_OFFER_EVERY_MS	1000
#define DAEMON_OFFER_TRIES	15
#define DAEMON_PSK_MAX		64
#define DAEMON_RELAY_PERMS	8
#define DAEMON_PERM_MS		300000	/* RFC 8656 s.9: permissions, 300 s */
#define DAEMON_OWN_ADDRS	64	/* the HA's own addresses, refused as peers */
#define DAEMON_OWN_EVERY_MS	10000	/* re-read at most this often, on need */
/*
 * After an address event (seed 004 s.9) the daemon re-gathers as soon as a
 * usable address has a route to the Home Agent (and the STUN server): the
 * check runs once the burst of rtnetlink messages waiting has been read
 * (gather_watch_process reads until the socket is empty), with no delay
 * of its own, since each ms there is a ms of the handover gap. If no such
 * route comes, it re-gathers anyway [timers] regather-fallback-ms after the
 * last address event (the send retries below take over when the route
 * comes later).
 */
/*
 * A send that fails at once (ENETUNREACH: after a move the address often
 * comes before its route) is retried this soon, not after a STUN RTO or
 * the registration interval.
 */
#define DAEMON_SEND_RETRY_MS	50	/* `mice monitor --daemon` clients */
/*
 * The standby credentials of the next restart (mn_standby_make) are made
 * this long after a pair is selected, out of the way of the last checks,
 * then again every REFRESH, and used only while younger than MAX: well
 * inside the responder's MIKEY timestamp window (MIKEY_DEFAULT_SKEW, 300 s).
 */
#define DAEMON_STANDBY_DELAY_MS		500
#define DAEMON_STANDBY_REFRESH_MS	50000
#define DAEMON_STANDBY_MAX_MS		60000

/* A peer IP the mobile node has sent to through its relay (agent/relay.h). */
struct relay_perm {
	struct ice_addr ip;		/* port ignored */
	uint64_t expires_ms;
};

struct registration {
	char name[SIG_NAME_MAX + 1];
	struct ice_addr addr;
	uint64_t expires_ms;
	/* the relayed transport address (seed 004 s.1.1 item 3) */
	int relay_fd;			/* valid while relay.family != 0 */
	struct ice_addr relay;
	struct relay_perm perm[DAEMON_RELAY_PERMS];
	struct ice_addr bound;		/* raw media peer, family 0 if none */
	uint64_t relayed_in, relayed_out, relay_drops;
	/* the newest authenticated registration (RFC 4285 s.6 replay rule) */
	uint64_t last_ts;
	uint16_t last_seq;
	/* the numbers of its signed Sends and hop tags (agent/replay.h) */
	struct replay_window relay_replay, hop_replay;
	bool relay_refused_logged;
};

struct session {
	const struct mice_cfg_peer *peer;
	uint32_t peer_id;		/* the kernel's peer ID */
	uint8_t psk[DAEMON_PSK_MAX];
	size_t psk_len;
	struct ice_agent *ice;
	bool initiator;
	bool answered;			/* initiator: got the answer */
	char ufrag[ICE_UFRAG_MAX + 1], pwd[ICE_PWD_MAX + 1];
	char remote_ufrag[ICE_UFRAG_MAX + 1];
	uint16_t seq;
	unsigned int offers_sent;
	/* initiator: MIKEY and the agent were made while the srflx request
	 * was out (mn_prepare_offer); the first @prepared_cands of the local
	 * set are in the agent */
	bool prepared;
	unsigned int prepared_cands;
	/* initiator: the subsequent offer went before the srflx answer (our
	 * HA vouches for our address, mn_offer_early) */
	bool offered_early;
	/*
	 * Initiator: the next ICE restart's credentials, MIKEY I_MESSAGE and
	 * agent, made ahead while nothing moves (mn_standby_make), so that a
	 * move costs the gap none of that work (about 10 ms under TCG).
	 */
	struct {
		bool ready;
		uint64_t made_ms;
		char ufrag[ICE_UFRAG_MAX + 1], pwd[ICE_PWD_MAX + 1];
		char remote_ufrag[ICE_UFRAG_MAX + 1];
		char remote_pwd[ICE_PWD_MAX + 1];
		struct mikey_init_state mikey_st;
		uint8_t mikey_msg[SIG_MIKEY_MAX];
		size_t mikey_len;
		struct ice_agent *ice;
	} standby;
	uint64_t standby_at;		/* when to make it (again) */
	/*
	 * The agent a restart replaced, freed once this turn of the event
	 * loop has sent what it had to (session_retire): under TCG giving
	 * back its memory costs milliseconds the offer or answer need not wait.
	 */
	struct ice_agent *retired;
	uint64_t next_offer_ms;
	bool kernel_pair;
	struct ice_addr kernel_remote;
	/* the remote of the last selected pair: first checked after a move */
	bool have_selected_remote;
	struct ice_addr selected_remote;
	/*
	 * The peer's candidates and the Ta of the last exchange: after a
	 * move the initiator checks them from the moment its subsequent
	 * offer goes (mn_check_early), before the answer can come back.
	 */
	struct ice_cand prev_rc[MIPICE_CAND_MAX];
	unsigned int prev_n;
	uint32_t ta_agreed;
	bool early_checks;		/* initiator: checking prev_rc */
	uint64_t checks_from_ms;	/* when this agent's checks began */
	struct ice_addr relay_bound;	/* peer bound at the HA for media */
	/*
	 * MIKEY (RFC 3830 PSK mode) rides in the offer and answer; the ICE
	 * passwords are derived from its TGK (seed 004 s.1.5) and never sent.
	 */
	struct mikey_init_state mikey_st;	/* initiator */
	struct mikey_replay mikey_replay;	/* responder */
	bool mikey_replay_ready;
	uint8_t mikey_msg[SIG_MIKEY_MAX];	/* our I_ or R_MESSAGE */
	size_t mikey_len;
	char remote_pwd[ICE_PWD_MAX + 1];
	/* initiator: the responder's ufrag our TGK gives (derive_creds) */
	char expect_ufrag[ICE_UFRAG_MAX + 1];
};

/* What the MIP-ICE pwd field carries: the real passwords are derived. */
#define DAEMON_PWD_PLACEHOLDER "MIKEYderivedICEpwd0000"

struct daemon {
	struct mice_config cfg;
	const struct cli_opts *opts;
	const char *name;
	const char *connect;
	const char *dev;
	struct mice_prefix_info peer_prefix[MICE_MAX_PREFIXES_PER_PEER];
	unsigned int n_peer_prefix;
	struct mice_clock clk;
	uint64_t t0;
	int fd;
	struct ice_addr bound;
	/* kernel */
	bool kernel;
	uint32_t sock_id;
	/* ha */
	struct stun_server stun;
	struct registration regs[DAEMON_MAX_REGS];
	/* ha: the MN-HA key of each [node NAME], in config order */
	uint8_t node_key[MICE_CFG_MAX_NODES][DAEMON_PSK_MAX];
	size_t node_key_len[MICE_CFG_MAX_NODES];
	/* mn: the key its registrations are signed with (0: unsigned) */
	uint8_t ha_key[DAEMON_PSK_MAX];
	size_t ha_key_len;
	bool relay_off_logged;
	/* ha: the key shared with each [peer NAME]'s home agent, config
	 * order, and the numbers seen from it (docs/security.md) */
	uint8_t peer_ha_key[MICE_CFG_MAX_PEERS][DAEMON_PSK_MAX];
	size_t peer_ha_key_len[MICE_CFG_MAX_PEERS];
	struct replay_window peer_ha_replay[MICE_CFG_MAX_PEERS];
	/* ha: its own addresses (getifaddrs), never a relay destination */
	struct ice_addr own[DAEMON_OWN_ADDRS];
	unsigned int n_own;
	uint64_t own_read_ms;
	bool own_read;
	/* the last number this daemon signed with (agent/replay.h) */
	uint64_t sign_seq;
	/* mn */
	struct gather_opts gopts;
	struct gather_watch watch;
	bool watching;
	bool regather;			/* an address changed: re-gather */
	bool regather_check;		/* check the path after this burst */
	uint64_t regather_at;		/* the fallback */
	bool regather_ready;		/* mn_path_ready() said so */
	/* the host candidates mn_path_ready() found, for mn_gather() */
	struct ice_cand_set ready_set;
	struct ice_cand_set local;
	bool hosts_listed;		/* local holds mn_gather's host candidates */
	struct srflx_query srflx;
	bool gathered;
	uint64_t srflx_resend_at;	/* 0: none */
	uint16_t reg_seq;
	uint8_t reg_refused;		/* the last refusal's BA status, or 0 */
	uint64_t next_reg_ms;
	bool registered;
	/* the HA has accepted a registration of ours (registered may since
	 * have been cleared by a move): see mn_offer_ready */
	bool ha_knows_us;
	struct ice_addr relay;		/* our relayed address at the HA */
	/* our HA vouches for our address in what it relays (its signed BA
	 * carries SIG_OPT_OBSERVED): a subsequent offer need not wait for
	 * the srflx answer */
	bool ha_observes;
	struct session sess;
	bool have_sess;
	/* mn: each [peer]'s newest accepted offer or answer (sig_replay) */
	struct sig_replay peer_seen[MICE_CFG_MAX_PEERS];
	/* the control socket `mice status` and `mice monitor` use */
	struct ctl_server ctl;
};

static volatile sig_atomic_t daemon_stop;

static void daemon_on_signal(int sig)
{
	(void)sig;
	daemon_stop = 1;
}

static uint64_t now_ms(struct daemon *d)
{
	return d->clk.now_ms(d->clk.ctx);
}

/*
 * The daemon's log is its stdout, written through a logsink (logsink.h)
 * so that a reader that stalls never stalls the loop: one per process,
 * opened at the first line and drained (for a bounded time) at exit,
 * whichever way cmd_daemon() returns.
 */
#define DAEMON_LOG_EXIT_WAIT_MS	1000
static struct logsink daemon_log;
static bool daemon_log_opened;
/* "drop" and "error" lines, which the network can cause: see logrl.h */
static struct logrl daemon_logrl;

static void daemon_log_close(void)
{
	logsink_close(&daemon_log, DAEMON_LOG_EXIT_WAIT_MS);
}

static void log_write(struct daemon *d, uint64_t t, const char *event,
		      const char *text)
{
	char line[CTL_EVENT_MAX];
	size_t n;

	if (!daemon_log_opened) {
		daemon_log_opened = true;
		fflush(stdout);
		logsink_open(&daemon_log, STDOUT_FILENO);
		atexit(daemon_log_close);
	}
	/* say what a stalled reader lost, once there is room again */
	if (daemon_log.dropped && logsink_room(&daemon_log) >= 2 * sizeof(line)) {
		char note[128];

		snprintf(note, sizeof(note), "%llu lines not written: the log "
			 "output was not read", (unsigned long long)daemon_log.dropped);
		daemon_log.dropped = 0;
		n = ctl_event_format(line, sizeof(line), d->opts->json, t, "log", note);
		logsink_line(&daemon_log, line, n);
	}
	n = ctl_event_format(line, sizeof(line), d->opts->json, t, event, text);
	logsink_line(&daemon_log, line, n);
}

/*
 * A datagram from anyone can cause a "drop" line, and some "error" lines
 * (a peer's refusal, a failed send): these are rate-limited per reason.
 * State changes ("selected", "registered", "offer-sent", ...) never are.
 */
static bool log_rate_limited(const char *event)
{
	return !strcmp(event, "drop") || !strcmp(event, "error");
}

static void log_out(struct daemon *d, bool log, uint64_t t, const char *event,
		    const char *text)
{
	if (log)
		log_write(d, t, event, text);
	ctl_broadcast(&d->ctl, t, event, text);
}

static void log_suppressed(struct daemon *d, bool log, uint64_t t,
			   const char *event, const char *fmt, uint64_t n)
{
	char text[768];

	snprintf(text, sizeof(text), "%llu similar lines suppressed (%s)",
		 (unsigned long long)n, fmt ? fmt : "various");
	log_out(d, log, t, event, text);
}

/* The counts of reasons whose lines stopped while held back. */
static void log_timers(struct daemon *d)
{
	uint64_t now = now_ms(d), n;
	const char *event, *fmt;

	while (logrl_take_suppressed(&daemon_logrl, now, &event, &fmt, &n))
		log_suppressed(d, true, now - d->t0, event, fmt, n);
}

/*
 * One event: "t=1.234 event detail" or a JSON object, to stdout when
 * @log (pair state changes only with -v) and always to monitors.
 */
static void vemit(struct daemon *d, bool log, const char *event,
		  const char *fmt, va_list ap)
{
	uint64_t now = now_ms(d), t = now - d->t0, held = 0;
	char text[768];

	if (log_rate_limited(event) &&
	    !logrl_admit(&daemon_logrl, event, fmt, now, &held))
		return;
	if (held)
		log_suppressed(d, log, t, event, fmt, held);
	vsnprintf(text, sizeof(text), fmt, ap);
	log_out(d, log, t, event, text);
}

static void logev(struct daemon *d, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void emit(struct daemon *d, bool log, const char *event,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void logev(struct daemon *d, const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(d, true, event, fmt, ap);
	va_end(ap);
}

static void emit(struct daemon *d, bool log, const char *event,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(d, log, event, fmt, ap);
	va_end(ap);
}

static const char *addr_s(const struct ice_addr *a, char *buf, size_t len)
{
	return ice_addr_str(a, buf, len);
}

static int send_to(struct daemon *d, const struct ice_addr *to,
		   const struct ice_addr *from_base, const void *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (ice_addr_to_sockaddr(to, &ss, &sl))
		return -1;
	msg.msg_name = &ss;
	msg.msg_namelen = sl;
	/* Send from the candidate's base address (one wildcard socket). */
	if (from_base && from_base->family == AF_INET && to->family == AF_INET &&
	    !ice_addr_is_unspecified(from_base)) {
		struct cmsghdr *c;
		struct in_pktinfo *pi;

		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(*pi));
		pi = (struct in_pktinfo *)CMSG_DATA(c);
		memcpy(&pi->ipi_spec_dst, from_base->ip, 4);
	}
	return sendmsg(d->fd, &msg, 0) < 0 ? -1 : 0;
}

/* ---- the kernel ------------------------------------------------------- */

static int on_attach_reply(const struct nlmsghdr *nlh, void *data)
{
	struct mice_sock_info *si = data;
	const char *why;

	return mice_msg_parse_sock(nlh, si, &why) ? MNL_CB_ERROR : MNL_CB_OK;
}

static void kernel_attach(struct daemon *d)
{
	char buf[MICE_NL_MSGBUF];
	struct mice_sock_info si;
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	int err;

	if (d->cfg.kernel == MICE_KERNEL_OFF) {
		logev(d, "kernel", "fast path off (configured)");
		return;
	}
	err = mice_nl_open(&nl);
	if (err) {
		logev(d, "kernel", "fast path off: the mice module is not loaded "
		      "(modprobe mice); demultiplexing in userspace");
		return;
	}
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_SOCK_ATTACH, 0, 0);
	mice_msg_put_sock_fd(nlh, (uint32_t)d->fd);
	err = mice_nl_talk(&nl, nlh, on_attach_reply, &si);
	if (err) {
		logev(d, "kernel", "fast path off: attach failed: %s%s%s",
		      strerror(-err), nl.errmsg[0] ? ": " : "", nl.errmsg);
	} else {
		d->kernel = true;
		d->sock_id = si.id;
		logev(d, "kernel", "socket attached as %u", si.id);
	}
	mice_nl_close(&nl);
}

static void kernel_pair(struct daemon *d, struct session *s,
			const struct ice_addr *remote)
{
	char buf[MICE_NL_MSGBUF], a[64];
	struct mice_pair_info pi;
	struct nlmsghdr *nlh;
	struct mice_nl nl;
	int err;

	if (!d->kernel || !d->dev)
		return;
	memset(&pi, 0, sizeof(pi));
	pi.peer_id = s->peer_id;
	pi.sock_id = d->sock_id;
	pi.family = remote->family;
	memcpy(pi.addr, remote->ip, 16);
	pi.port = remote->port;
	if (!s->kernel_pair) {
		pi.ifindex = if_nametoindex(d->dev);
		if (!pi.ifindex) {
			logev(d, "kernel", "no device %s: create it with "
			      "'ip link add %s type mice'", d->dev, d->dev);
			return;
		}
		pi.nprefixes = d->n_peer_prefix;
		memcpy(pi.prefixes, d->peer_prefix, sizeof(pi.prefixes));
	}
	if (mice_nl_open(&nl))
		return;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_PAIR_SET, 0, 0);
	mice_msg_put_pair(nlh, &pi);
	err = mice_nl_talk(&nl, nlh, NULL, NULL);
	if (err) {
		logev(d, "kernel", "pair set failed: %s%s%s", strerror(-err),
		      nl.errmsg[0] ? ": " : "", nl.errmsg);
	} else {
		logev(d, "kernel-pair", "peer %s id %u remote %s %s",
		      s->peer->name, s->peer_id, addr_s(remote, a, sizeof(a)),
		      s->kernel_pair ? "replaced" : "installed");
		s->kernel_pair = true;
		s->kernel_remote = *remote;
	}
	mice_nl_close(&nl);
}

static void kernel_pair_del(struct daemon *d, struct session *s)
{
	char buf[MICE_NL_MSGBUF];
	struct nlmsghdr *nlh;
	struct mice_nl nl;

	if (!s->kernel_pair || mice_nl_open(&nl))
		return;
	nlh = mice_msg_request(buf, nl.family_id, MICE_CMD_PAIR_DEL, 0, 0);
	mice_msg_put_peer_id(nlh, s->peer_id);
	mice_nl_talk(&nl, nlh, NULL, NULL);
	mice_nl_close(&nl);
	s->kernel_pair = false;
	logev(d, "kernel-pair", "peer %s removed (consent lost)", s->peer->name);
}

/* ---- Home Agent --------------------------------------------------------- */

static struct registration *reg_find(struct daemon *d, const char *name,
				     bool create)
{
	struct registration *free_slot = NULL;
	uint64_t now = now_ms(d);
	unsigned int i;

	for (i = 0; i < DAEMON_MAX_REGS; i++) {
		struct registration *r = &d->regs[i];

		if (r->name[0] && !strcmp(r->name, name))
			return r;
		if (!free_slot && (!r->name[0] || r->expires_ms < now))
			free_slot = r;
	}
	if (create && free_slot) {
		if (free_slot->relay.family)
			close(free_slot->relay_fd);
		memset(free_slot, 0, sizeof(*free_slot));
		snprintf(free_slot->name, sizeof(free_slot->name), "%s", name);
	}
	return create ? free_slot : NULL;
}

static void ha_own_read(struct daemon *d);

/*
 * The relayed transport address of a registration: a UDP port of its own
 * on the HA's listen address (agent/relay.h). A wildcard listen address
 * has no address to give out, so such an HA offers no relay.
 */
static void ha_relay_alloc(struct daemon *d, struct registration *r)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char a[64];
	int fd;

	if (r->relay.family)
		return;
	if (ice_addr_is_unspecified(&d->bound)) {
		if (!d->relay_off_logged)
			logev(d, "relay", "off: the listen address %s is a wildcard; "
			      "relayed candidates need a specific one",
			      addr_s(&d->bound, a, sizeof(a)));
		d->relay_off_logged = true;
		return;
	}
	r->relay = d->bound;
	r->relay.port = 0;
	if (ice_addr_to_sockaddr(&r->relay, &ss, &sl))
		goto fail;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	sl = sizeof(ss);
	if (bind(fd, (struct sockaddr *)&ss, ss.ss_family == AF_INET ?
		 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) ||
	    ice_addr_from_sockaddr(&r->relay, (struct sockaddr *)&ss)) {
		close(fd);
		goto fail;
	}
	r->relay_fd = fd;
	logev(d, "relay", "allocated %s for %s", addr_s(&r->relay, a, sizeof(a)),
	      r->name);
	ha_own_read(d);	/* what the relay must never send to */
	return;
fail:
	memset(&r->relay, 0, sizeof(r->relay));
	logev(d, "error", "relay for %s: %s", r->name, strerror(errno));
}

static bool ha_perm_ok(const struct registration *r, const struct ice_addr *a,
		       uint64_t now)
{
	unsigned int i;

	for (i = 0; i < DAEMON_RELAY_PERMS; i++)
		if (r->perm[i].expires_ms > now && ice_addr_ip_eq(&r->perm[i].ip, a))
			return true;
	return false;
}

/* RFC 8656 s.9: by IP address only, so a peer's NAT may pick any port. */
static void ha_perm_add(struct registration *r, const struct ice_addr *a,
			uint64_t now)
{
	struct relay_perm *slot = &r->perm[0];
	unsigned int i;

	for (i = 0; i < DAEMON_RELAY_PERMS; i++) {
		struct relay_perm *p = &r->perm[i];

		if (ice_addr_ip_eq(&p->ip, a)) {
			slot = p;
			break;
		}
		if (p->expires_ms < slot->expires_ms)
			slot = p;
	}
	slot->ip = *a;
	slot->expires_ms = now + DAEMON_PERM_MS;
}

static void relay_sendto(int fd, const struct ice_addr *to, const void *buf,
			 size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (!ice_addr_to_sockaddr(to, &ss, &sl))
		sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl);
}

/* The registration whose mobile node sends from @from, or NULL. */
static struct registration *reg_by_addr(struct daemon *d,
					const struct ice_addr *from)
{
	uint64_t now = now_ms(d);
	unsigned int i;

	for (i = 0; i < DAEMON_MAX_REGS; i++)
		if (d->regs[i].name[0] && d->regs[i].expires_ms >= now &&
		    ice_addr_eq(&d->regs[i].addr, from))
			return &d->regs[i];
	return NULL;
}

static int ha_node(struct daemon *d, const char *name);

/* Unix time in seconds: the clock of the numbers in agent/replay.h. */
static uint64_t wall_s(void)
{
	return (uint64_t)time(NULL);
}

/* The next number this daemon signs a relay Send or hop tag with. */
static uint64_t sign_seq_next(struct daemon *d)
{
	return replay_next_seq(&d->sign_seq, wall_s());
}

/*
 * The HA's own addresses and its interfaces' broadcast addresses
 * (getifaddrs): at start and then at most every DAEMON_OWN_EVERY_MS when a
 * relay destination is checked, so that an address added later is known.
 */
static void ha_own_read(struct daemon *d)
{
	struct ifaddrs *ifa, *i;

	if (d->own_read && now_ms(d) - d->own_read_ms < DAEMON_OWN_EVERY_MS)
		return;
	d->own_read = true;
	d->own_read_ms = now_ms(d);
	if (getifaddrs(&ifa)) {
		logev(d, "error", "getifaddrs: %s; keeping the last list of our "
		      "own addresses", strerror(errno));
		return;
	}
	d->n_own = 0;
	for (i = ifa; i; i = i->ifa_next) {
		struct sockaddr *sa[2] = { i->ifa_addr, NULL };
		unsigned int k;

		if (i->ifa_flags & IFF_BROADCAST)
			sa[1] = i->ifa_broadaddr;
		for (k = 0; k < 2; k++)
			if (sa[k] && (sa[k]->sa_family == AF_INET ||
				      sa[k]->sa_family == AF_INET6) &&
			    d->n_own < DAEMON_OWN_ADDRS &&
			    !ice_addr_from_sockaddr(&d->own[d->n_own], sa[k]))
				d->n_own++;
	}
	freeifaddrs(ifa);
}

/*
 * May the relay send to @to? Never where relay_dest_refused() says, nor to
 * the HA's own addresses (its listen address, any of its interfaces'), so
 * that a node cannot use it to reach the HA's host or LAN from outside
 * (RFC 8656 s.21.1.3 asks TURN servers the same). The one exception is
 * the relayed address of another registration here: a relay-to-relay
 * pair, which that relay's own permissions then filter. NULL, or why not.
 */
static const char *ha_relay_dest_bad(struct daemon *d, const struct ice_addr *to)
{
	const char *why = relay_dest_refused(to);
	unsigned int i;

	if (why)
		return why;
	for (i = 0; i < DAEMON_MAX_REGS; i++)
		if (d->regs[i].name[0] && d->regs[i].relay.family &&
		    ice_addr_eq(&d->regs[i].relay, to))
			return NULL;
	if (ice_addr_ip_eq(to, &d->bound))
		return "toward the home agent's own address";
	ha_own_read(d);
	for (i = 0; i < d->n_own; i++)
		if (ice_addr_ip_eq(to, &d->own[i]))
			return "toward an address of the home agent's host";
	return NULL;
}

/*
 * From a mobile node to its relay: a Send indication (a check or a bind)
 * or raw media for the bound peer. Returns false if not the HA's to take.
 * A Send changes nothing and goes nowhere unless it is signed under the
 * node's MN-HA key and its number is fresh (verify before act): the
 * registered address alone proves nothing, another host may hold it now.
 */
static bool ha_relay_from_mn(struct daemon *d, const uint8_t *buf, size_t len,
			     const struct ice_addr *from, bool is_stun)
{
	struct registration *r = reg_by_addr(d, from);
	struct relay_frame f;
	const char *why;
	int node;
	char a[64];

	if (!r || !r->relay.family)
		return false;
	if (!is_stun) {
		/* only to the peer a signed bind named */
		if (!r->bound.family) {
			r->relay_drops++;
			return true;
		}
		relay_sendto(r->relay_fd, &r->bound, buf, len);
		r->relayed_out++;
		return true;
	}
	if (!relay_frame_is(buf, len))
		return false;
	node = ha_node(d, r->name);
	if (relay_frame_parse(buf, len, &f, &why))
		;
	else if (f.method != RELAY_METHOD_SEND)
		why = "a Data indication is the HA's to send";
	else if (f.peer.family != r->relay.family)
		why = "peer address family differs from the relay's";
	else if (node < 0)	/* no key, no relay: ha_relay_alloc */
		why = "no MN-HA key";
	else if (relay_send_verify(buf, len, &f, d->node_key[node],
				   d->node_key_len[node], &why))
		;
	else if (replay_check(&r->relay_replay, f.seq, wall_s(), &why))
		;
	else
		why = ha_relay_dest_bad(d, &f.peer);
	if (why) {
		r->relay_drops++;
		logev(d, "drop", "relay frame from %s to %s: %s", r->name,
		      f.peer.family ? addr_s(&f.peer, a, sizeof(a)) : "?", why);
		return true;
	}
	replay_accept(&r->relay_replay, f.seq);
	ha_perm_add(r, &f.peer, now_ms(d));
	if (f.bind && !ice_addr_eq(&r->bound, &f.peer)) {
		r->bound = f.peer;
		logev(d, "relay", "%s binds %s for media on %s", r->name,
		      addr_s(&f.peer, a, sizeof(a)),
		      addr_s(&r->relay, a + 32, 32));
	}
	if (f.payload_len) {
		relay_sendto(r->relay_fd, &f.peer, f.payload, f.payload_len);
		r->relayed_out++;
	}
	return true;
}

/* A datagram on a relayed address: to the mobile node, framed or raw. */
static void ha_relay_read(struct daemon *d, struct registration *r)
{
	static uint8_t buf[65536];
	uint8_t frame[RELAY_FRAME_MAX];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct ice_addr from;
	size_t flen;
	ssize_t n;

	n = recvfrom(r->relay_fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&ss, &sl);
	if (n < 0 || ice_addr_from_sockaddr(&from, (struct sockaddr *)&ss))
		return;
	if (r->bound.family && ice_addr_eq(&from, &r->bound) &&
	    !stun_looks_like(buf, (size_t)n)) {
		send_to(d, &r->addr, NULL, buf, (size_t)n);
		r->relayed_in++;
		return;
	}
	if (!stun_looks_like(buf, (size_t)n) ||
	    !ha_perm_ok(r, &from, now_ms(d))) {
		r->relay_drops++;	/* no permission: RFC 8656 s.9 */
		return;
	}
	flen = relay_frame_build(RELAY_METHOD_DATA, &from, buf, (size_t)n, false,
				 frame, sizeof(frame));
	if (!flen) {
		r->relay_drops++;
		return;
	}
	send_to(d, &r->addr, NULL, frame, flen);
	r->relayed_in++;
}

static bool ha_is_peer_ha(struct daemon *d, const struct ice_addr *from)
{
	unsigned int i;

	for (i = 0; i < d->cfg.n_peers; i++)
		if (d->cfg.peers[i].has_home_agent &&
		    ice_addr_eq(&d->cfg.peers[i].home_agent, from))
			return true;
	return false;
}

/* The index of [node @name] in the config, or -1. */
static int ha_node(struct daemon *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < d->cfg.n_nodes; i++)
		if (!strcmp(d->cfg.nodes[i].name, name))
			return (int)i;
	return -1;
}

/* A refusal: a BA with @status, unauthenticated, and a log line. */
static void ha_refuse(struct daemon *d, const struct sig_msg *req,
		      const struct ice_addr *from, uint8_t status,
		      const char *why)
{
	struct sig_msg m;
	uint8_t out[128];
	const char *err;
	size_t olen;
	char a[64];

	logev(d, "drop", "registration of %s from %s refused, status %u: %s",
	      req->from, addr_s(from, a, sizeof(a)), status, why);
	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTERED;
	m.seq = req->seq;
	m.status = status;
	if (!sig_encode(&m, NULL, 0, out, sizeof(out), &olen, &err))
		send_to(d, from, NULL, out, olen);
}

/*
 * A registration (seed 004 s.3: the MN's home agent relays its offers and
 * answers). A [node NAME] must sign it with its MN-HA key (RFC 4285), and
 * is answered signed; other names register only with 'registration open'.
 */
static void ha_register(struct daemon *d, const struct sig_msg *req,
			const uint8_t *buf, size_t len,
			const struct ice_addr *from)
{
	uint64_t now_s = (uint64_t)time(NULL);
	int node = ha_node(d, req->from);
	const uint8_t *key = NULL;
	const char *why, *err;
	struct registration *r;
	struct sig_msg m;
	uint8_t out[256];
	size_t keylen = 0;
	size_t olen;
	char a[64];

	if (node >= 0) {
		key = d->node_key[node];
		keylen = d->node_key_len[node];
		if (sig_verify(buf, len, d->cfg.max_remote_cands, key, keylen,
			       now_s, &why)) {
			/* a good tag at its own time: only the clock is wrong */
			bool stale = !sig_verify(buf, len, d->cfg.max_remote_cands,
						 key, keylen, req->timestamp, &err);

			ha_refuse(d, req, from, stale ? SIG_STATUS_ID_MISMATCH :
				  SIG_STATUS_AUTH_FAIL, why);
			return;
		}
	} else if (d->cfg.registration != MICE_REG_OPEN) {
		ha_refuse(d, req, from, SIG_STATUS_PROHIBITED,
			  "not a [node] of this home agent");
		return;
	}
	r = reg_find(d, req->from, true);
	if (!r) {
		logev(d, "drop", "registration of %s: table full", req->from);
		return;
	}
	if (key && r->last_ts &&
	    !sig_newer(req->timestamp, req->seq, r->last_ts, r->last_seq)) {
		ha_refuse(d, req, from, SIG_STATUS_ID_MISMATCH,
			  "not newer than the last accepted registration (replay)");
		return;
	}
	if (key) {
		r->last_ts = req->timestamp;
		r->last_seq = req->seq;
	}
	if (!ice_addr_eq(&r->addr, from))
		logev(d, "registered", "%s at %s%s", req->from,
		      addr_s(from, a, sizeof(a)), key ? " (authenticated)" : "");
	r->addr = *from;
	r->expires_ms = now_ms(d) + SIG_LIFETIME_S * 1000ULL;
	/*
	 * A relay only for a node that can sign what it asks of it (its MN-HA
	 * key): `registration open` must not make an open relay.
	 */
	if (key)
		ha_relay_alloc(d, r);
	else if (!r->relay_refused_logged)
		logev(d, "relay", "none for %s: it has no MN-HA key (registered "
		      "open), and the relay serves only signed requests", r->name);
	r->relay_refused_logged = !key;
	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTERED;
	m.seq = req->seq;
	m.timestamp = now_s;
	m.relay = r->relay;
	/* says that we vouch for our nodes' addresses (see ha_vouch) */
	if (key)
		m.observed = *from;
	if (!sig_encode(&m, key, keylen, out, sizeof(out), &olen, &why))
		send_to(d, from, NULL, out, olen);
}

/*
 * An offer or answer as it goes on (to @local_target, or else to a peer
 * HA): with the address it came from, which behind a NAT is the sender's
 * server-reflexive one, vouched for under the target's MN-HA key
 * (SIG_OPT_OBSERVED). The target can then check toward the sender before
 * the sender knows that address itself: after a move the sender offers at
 * once (seed 004 s.9). One from a peer HA carries the address that HA saw,
 * which we tag; toward a peer HA the tag is left to it; a target without a
 * key here gets no option. Returns the bytes to send, *@len their length.
 */
static const uint8_t *ha_vouch(struct daemon *d, const struct sig_msg *m,
			       const uint8_t *buf, size_t *len,
			       const struct ice_addr *from, bool from_ha,
			       bool local_target, const char **note)
{
	static uint8_t out[MH_MAX_LEN];
	const struct ice_addr *obs = from_ha ? &m->observed : from;
	const uint8_t *key = NULL;
	const char *why;
	size_t keylen = 0, olen;
	int node;

	*note = "";
	if (local_target) {
		node = ha_node(d, m->to);
		if (node >= 0 && d->node_key_len[node]) {
			key = d->node_key[node];
			keylen = d->node_key_len[node];
		} else {
			obs = NULL;	/* it could not tell ours from a forgery */
		}
	}
	/* the hop authenticator goes too: the next hop gets its own */
	if ((!obs || !obs->family) && !m->observed.family && !m->has_hop)
		return buf;
	if (sig_set_observed(buf, *len, d->cfg.max_remote_cands,
			     obs && obs->family ? obs : NULL, key, keylen, out,
			     sizeof(out), &olen, &why)) {
		logev(d, "error", "%s from %s: cannot add the observed address: %s",
		      sig_kind_name(m->kind), m->from, why);
		*len = 0;	/* nothing goes half-done */
		return buf;
	}
	if (obs && obs->family)
		*note = key ? ", observed address vouched for" :
			", observed address for its home agent to vouch for";
	*len = olen;
	return out;
}

/*
 * The [peer NAME] whose home agent sends from @from and serves @name: the
 * index of the key an HA-to-HA message about @name must carry, or -1. A
 * peer HA speaks only for the nodes it serves (no other name is believed
 * from it).
 */
static int ha_peer_of(struct daemon *d, const struct ice_addr *from,
		      const char *name)
{
	unsigned int i;

	for (i = 0; i < d->cfg.n_peers; i++)
		if (d->cfg.peers[i].has_home_agent &&
		    ice_addr_eq(&d->cfg.peers[i].home_agent, from) &&
		    !strcmp(d->cfg.peers[i].name, name))
			return (int)i;
	return -1;
}

/* The index of [peer @name] with a home agent, or -1. */
static int ha_peer_index(struct daemon *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < d->cfg.n_peers; i++)
		if (d->cfg.peers[i].has_home_agent &&
		    !strcmp(d->cfg.peers[i].name, name))
			return (int)i;
	return -1;
}

/*
 * The hop check of an offer or answer (docs/security.md, "Between Home
 * Agents"): its hop authenticator verifies under @key and its number is
 * fresh in @w, which then records it. Returns NULL, or why not.
 */
static const char *ha_hop_check(struct daemon *d, const uint8_t *buf,
				size_t len, const uint8_t *key, size_t keylen,
				struct replay_window *w)
{
	const char *why;
	uint64_t seq;

	if (!keylen)
		return "no key to check it with";
	if (sig_hop_verify(buf, len, d->cfg.max_remote_cands, key, keylen,
			   &seq, &why) ||
	    replay_check(w, seq, wall_s(), &why))
		return why;
	replay_accept(w, seq);
	return NULL;
}

static void ha_on_mh(struct daemon *d, const uint8_t *buf, size_t len,
		     const struct ice_addr *from)
{
	static uint8_t signed_out[MH_MAX_LEN];
	const uint8_t *fwd;
	const char *note;
	bool local;
	const struct ice_addr *next;
	char a[64], b[64];
	struct registration *r;
	struct sig_msg m;
	const char *why;
	bool from_ha;
	int pi, node;

	if (sig_decode(buf, len, d->cfg.max_remote_cands, &m, &why)) {
		logev(d, "drop", "mobility header from %s: %s",
		      addr_s(from, a, sizeof(a)), why);
		return;
	}
	if (m.kind == SIG_REGISTER) {
		ha_register(d, &m, buf, len, from);
		return;
	}
	if (m.kind != SIG_OFFER && m.kind != SIG_ANSWER)
		return;
	/*
	 * Relay only for a registered sender, or from a peer Home Agent
	 * ([peer NAME] home-agent ADDR) for one of ours: seed 004 s.3, the
	 * exchange "will occur through mobility anchor points". Nothing is
	 * forwarded before it is authenticated under the key of the party it
	 * names: the peer HA's key (ha-key-file) for what a peer HA sends,
	 * the node's MN-HA key for what a keyed node sends; the source
	 * address alone proves nothing.
	 */
	from_ha = ha_is_peer_ha(d, from);
	if (from_ha) {
		pi = ha_peer_of(d, from, m.from);
		if (pi < 0)
			why = "its home agent does not serve that name";
		else
			why = ha_hop_check(d, buf, len, d->peer_ha_key[pi],
					   d->peer_ha_key_len[pi],
					   &d->peer_ha_replay[pi]);
		if (why) {
			logev(d, "drop", "%s %s -> %s from home agent %s: %s",
			      sig_kind_name(m.kind), m.from, m.to,
			      addr_s(from, a, sizeof(a)), why);
			return;
		}
	} else {
		r = reg_find(d, m.from, false);
		if (!r || !ice_addr_eq(&r->addr, from)) {
			logev(d, "drop", "%s from unregistered %s at %s",
			      sig_kind_name(m.kind), m.from,
			      addr_s(from, a, sizeof(a)));
			return;
		}
		/* a node registered open has no key: its address is all there
		 * is, and the end-to-end authenticator protects the target */
		node = ha_node(d, m.from);
		if (node >= 0 &&
		    (why = ha_hop_check(d, buf, len, d->node_key[node],
					d->node_key_len[node], &r->hop_replay))) {
			logev(d, "drop", "%s %s -> %s from %s: %s",
			      sig_kind_name(m.kind), m.from, m.to,
			      addr_s(from, a, sizeof(a)), why);
			return;
		}
	}
	r = reg_find(d, m.to, false);
	local = r && r->expires_ms >= now_ms(d);
	pi = -1;
	if (local) {
		next = &r->addr;
	} else if (!from_ha && (pi = ha_peer_index(d, m.to)) >= 0) {
		/* not ours: to the HA that serves the target, never further */
		next = &d->cfg.peers[pi].home_agent;
		if (!d->peer_ha_key_len[pi]) {
			logev(d, "drop", "%s %s -> %s: no ha-key-file for the home "
			      "agent serving %s", sig_kind_name(m.kind), m.from,
			      m.to, m.to);
			return;
		}
	} else {
		logev(d, "drop", "%s for unknown target %s", sig_kind_name(m.kind), m.to);
		return;
	}
	fwd = ha_vouch(d, &m, buf, &len, from, from_ha, local, &note);
	if (!len)
		return;
	if (pi >= 0) {
		if (sig_hop_sign(fwd, len, d->cfg.max_remote_cands,
				 sign_seq_next(d), d->peer_ha_key[pi],
				 d->peer_ha_key_len[pi], signed_out,
				 sizeof(signed_out), &len, &why)) {
			logev(d, "error", "%s %s -> %s: cannot sign it for its "
			      "home agent: %s", sig_kind_name(m.kind), m.from,
			      m.to, why);
			return;
		}
		fwd = signed_out;
	}
	send_to(d, next, NULL, fwd, len);
	logev(d, "relay", "%s %s -> %s (%s -> %s, %zu bytes)%s%s", sig_kind_name(m.kind),
	      m.from, m.to, addr_s(from, a, sizeof(a)),
	      addr_s(next, b, sizeof(b)), len,
	      local ? "" : " to its home agent", note);
}

/* ---- Mobile node ---------------------------------------------------------- */

/*
 * @n random characters of 6 bits each (24 make a password of 144 bits,
 * RFC 8445 s.5.3: at least 128). If the generator fails, @out is left
 * empty, which every user refuses (an ICE ufrag or password has a
 * minimum length): nothing predictable is ever used.
 */
static int random_string(char *out, size_t n)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t r[ICE_PWD_MAX];
	size_t i;

	out[0] = '\0';
	if (n > sizeof(r) || RAND_bytes(r, (int)n) != 1) {
		cli_err("the random generator failed: no credentials made");
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i] = chars[r[i] % 64];	/* 256 = 4 * 64: uniform */
	out[n] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

/*
 * The [peer] PSKs of a mobile node, read at start-up (daemon_load_psks)
 * while the daemon may still read root's 0600 files: after it has
 * dropped to its `user` a session takes its key from here. Cleansed at
 * exit (daemon_forget_psks).
 */
static struct {
	const char *path;
	uint8_t key[DAEMON_PSK_MAX];
	size_t len;
} psk_cache[MICE_CFG_MAX_PEERS];
static unsigned int n_psk_cache;

/* A PSK of 16 to DAEMON_PSK_MAX bytes, from the cache or its file. */
static int load_psk(const char *path, uint8_t *key, size_t *len)
{
	char err[KEYFILE_ERR_MAX];
	unsigned int i;

	for (i = 0; i < n_psk_cache; i++)
		if (!strcmp(psk_cache[i].path, path)) {
			memcpy(key, psk_cache[i].key, psk_cache[i].len);
			*len = psk_cache[i].len;
			return 0;
		}
	if (keyfile_load(path, key, 16, DAEMON_PSK_MAX, len, err, sizeof(err))) {
		cli_err("%s", err);
		return -1;
	}
	return 0;
}

/*
 * A key file for @what at start-up (agent/keyfile.c: mode 0600, owner,
 * 16 to DAEMON_PSK_MAX bytes); 0, or -1 with the reason on stderr.
 */
static int load_key_file(const char *config, const char *what,
			 const char *path, uint8_t *key, size_t *len)
{
	char err[KEYFILE_ERR_MAX];

	if (keyfile_load(path, key, 16, DAEMON_PSK_MAX, len, err, sizeof(err))) {
		cli_err("%s: %s %s", config, what, err);
		return -1;
	}
	return 0;
}

static int daemon_load_psks(struct daemon *d, const char *config)
{
	char what[MICE_CFG_NAME_MAX + 40];
	unsigned int i;

	for (i = 0; i < d->cfg.n_peers; i++) {
		const struct mice_cfg_peer *p = &d->cfg.peers[i];

		if (p->cred != MICE_CRED_PSK_FILE)
			continue;
		snprintf(what, sizeof(what), "[peer %s] psk-file", p->name);
		if (load_key_file(config, what, p->psk_file,
				  psk_cache[n_psk_cache].key,
				  &psk_cache[n_psk_cache].len))
			return -1;
		psk_cache[n_psk_cache++].path = p->psk_file;
	}
	return 0;
}

static void daemon_forget_psks(void)
{
	OPENSSL_cleanse(psk_cache, sizeof(psk_cache));
	n_psk_cache = 0;
}

static const struct mice_cfg_peer *peer_by_name(struct daemon *d,
						const char *name)
{
	unsigned int i;

	for (i = 0; i < d->cfg.n_peers; i++)
		if (!strcmp(d->cfg.peers[i].name, name))
			return &d->cfg.peers[i];
	return NULL;
}

static void build_offer_ice(struct daemon *d, struct session *s,
			    struct mipice_opt *o)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));
	snprintf(o->ufrag, sizeof(o->ufrag), "%s", s->ufrag);
	snprintf(o->pwd, sizeof(o->pwd), "%s", DAEMON_PWD_PLACEHOLDER);
	o->pacing_ms = (uint16_t)d->cfg.ta_ms;	/* our Ta proposal, s.14.2 */
	for (i = 0; i < d->local.n && o->n_cand < MIPICE_CAND_MAX; i++)
		mipice_cand_from_ice(&d->local.c[i], &o->cand[o->n_cand++]);
}

/*
 * A keyed node signs the hop to its HA (SIG_OPT_HOP under its MN-HA key),
 * which forwards nothing of a keyed node's without it. @buf holds *@len
 * octets of an offer or answer, MH_MAX_LEN of room.
 */
static int mn_hop_sign(struct daemon *d, uint8_t *buf, size_t *len,
		       const char **why)
{
	uint8_t out[MH_MAX_LEN];

	if (!d->ha_key_len)
		return 0;
	if (sig_hop_sign(buf, *len, d->cfg.max_remote_cands, sign_seq_next(d),
			 d->ha_key, d->ha_key_len, out, sizeof(out), len, why))
		return -1;
	memcpy(buf, out, *len);
	return 0;
}

static void send_signal(struct daemon *d, struct session *s, enum sig_kind k)
{
	static struct sig_msg m;
	uint8_t out[MH_MAX_LEN];
	const char *why;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.kind = k;
	m.seq = ++s->seq;
	snprintf(m.from, sizeof(m.from), "%s", d->name);
	snprintf(m.to, sizeof(m.to), "%s", s->peer->name);
	m.timestamp = (uint64_t)time(NULL);
	m.has_ice = true;
	build_offer_ice(d, s, &m.ice);
	memcpy(m.mikey, s->mikey_msg, s->mikey_len);
	m.mikey_len = s->mikey_len;
	if (sig_encode(&m, s->psk, s->psk_len, out, sizeof(out), &len, &why) ||
	    mn_hop_sign(d, out, &len, &why)) {
		logev(d, "error", "cannot build the %s: %s", sig_kind_name(k), why);
		return;
	}
	send_to(d, &d->cfg.home_agent, NULL, out, len);
	logev(d, k == SIG_OFFER ? "offer-sent" : "answer-sent",
	      "to %s via the home agent: ufrag %s, %u candidates, %zu bytes",
	      s->peer->name, s->ufrag, m.ice.n_cand, len);
}

static void session_new_credentials(struct session *s)
{
	random_string(s->ufrag, 8);
	random_string(s->pwd, 24);
}

/*
 * The two ICE passwords and the responder's ufrag from the TGK
 * (mikey_ice_creds: RFC 3830 s.4.1.3 derivation with cs_id 1 for the
 * initiator's password and 2 for the responder's, 16 octets each written
 * as 32 hex characters, RFC 8445 s.5.3's 128 bits, and cs_id 3 for the
 * responder's ufrag, 4 octets as 8 hex characters). The initiator thus
 * knows all of the responder's new credentials when it offers, and after
 * a move it checks before the answer is back (mn_check_early); the
 * answer's ufrag must match.
 */
_Static_assert(MIKEY_ICE_PWD_HEX <= ICE_PWD_MAX &&
	       MIKEY_ICE_PWD_OCTETS * 8 >= 128 &&
	       MIKEY_ICE_UFRAG_HEX <= ICE_UFRAG_MAX,
	       "derived ICE credentials: RFC 8445 s.5.3 sizes");
static int derive_creds(const uint8_t *tgk, size_t tgk_len, uint32_t csb_id,
			const uint8_t *rand, size_t rand_len, char *pwd_i,
			char *pwd_r, char *ufrag_r)
{
	return mikey_ice_creds(tgk, tgk_len, csb_id, rand, rand_len, pwd_i,
			       pwd_r, ufrag_r);
}

static void mikey_cfg_of(const struct session *s, struct mikey_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->psk = s->psk;
	c->psk_len = s->psk_len;
}

/*
 * Initiator: a fresh I_MESSAGE (new TGK and RAND) in @msg, its state in
 * @st, and the two passwords derived from it.
 */
static int mikey_offer_make(struct daemon *d, const struct session *s,
			    struct mikey_init_state *st, uint8_t *msg,
			    size_t *msg_len, char *pwd, char *remote_pwd,
			    char *remote_ufrag)
{
	struct mikey_init_params ip;
	struct mikey_cfg c;
	const char *why = NULL;
	uint32_t csb;

	mikey_cfg_of(s, &c);
	memset(&ip, 0, sizeof(ip));
	if (RAND_bytes((uint8_t *)&csb, sizeof(csb)) != 1) {
		logev(d, "error", "MIKEY I_MESSAGE: the random generator failed");
		return -1;
	}
	ip.csb_id = csb;
	ip.encr_alg = MIKEY_ENCR_AES_CM_128;	/* the HA must not see the TGK */
	ip.verify = true;
	mikey_init_state_clear(st);
	if (mikey_psk_init_create(&c, &ip, mikey_ntp_now(), st, msg,
				  SIG_MIKEY_MAX, msg_len, &why) ||
	    derive_creds(st->tgk, st->tgk_len, st->csb_id, st->rand,
			 st->rand_len, pwd, remote_pwd, remote_ufrag)) {
		logev(d, "error", "MIKEY I_MESSAGE: %s", why ? why : "derivation failed");
		return -1;
	}
	return 0;
}

static int session_mikey_offer(struct daemon *d, struct session *s)
{
	if (mikey_offer_make(d, s, &s->mikey_st, s->mikey_msg, &s->mikey_len,
			     s->pwd, s->remote_pwd, s->expect_ufrag))
		return -1;
	logev(d, "mikey", "I_MESSAGE %zu bytes (PSK, AES-CM-128, verify); "
	      "ICE passwords derived from the TGK", s->mikey_len);
	return 0;
}

/*
 * Responder: what an offer's exchange would make of the session, computed
 * aside and committed only once all of it succeeded (session_answer_commit),
 * so that an offer that fails half-way changes nothing (issue 14 item 4).
 */
struct answer_next {
	char ufrag[ICE_UFRAG_MAX + 1], pwd[ICE_PWD_MAX + 1];
	char remote_pwd[ICE_PWD_MAX + 1];
	uint8_t mikey_msg[SIG_MIKEY_MAX];	/* our R_MESSAGE */
	size_t mikey_len;
	struct ice_agent *ice;
};

static void answer_next_clear(struct answer_next *nx)
{
	ice_agent_free(nx->ice);
	OPENSSL_cleanse(nx, sizeof(*nx));
}

/*
 * Responder: process the I_MESSAGE under @psk against the replay cache
 * @rc (RFC 3830 s.5.4: it records the message only if it is accepted);
 * the R_MESSAGE and the credentials the TGK gives go to @nx.
 */
static int session_mikey_answer(struct daemon *d, const uint8_t *psk,
				size_t psk_len, struct mikey_replay *rc,
				const struct sig_msg *m, struct answer_next *nx)
{
	struct mikey_result res;
	struct mikey_cfg c;
	const char *why = NULL;
	int err;

	if (!m->mikey_len) {
		logev(d, "drop", "offer from %s without a MIKEY message", m->from);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.psk = psk;
	c.psk_len = psk_len;
	memset(&res, 0, sizeof(res));
	err = mikey_psk_resp_process(&c, rc, mikey_ntp_now(), m->mikey,
				     m->mikey_len, &res, nx->mikey_msg,
				     sizeof(nx->mikey_msg), &nx->mikey_len, &why);
	if (err || derive_creds(res.tgk, res.tgk_len, res.csb_id, res.rand,
				res.rand_len, nx->remote_pwd, nx->pwd,
				nx->ufrag)) {
		logev(d, "drop", "MIKEY I_MESSAGE from %s refused: %s", m->from,
		      why ? why : "derivation failed");
		mikey_result_clear(&res);
		return -1;
	}
	mikey_result_clear(&res);
	return 0;
}

/* Initiator: verify the R_MESSAGE (V payload) of the answer. */
static int session_mikey_finish(struct daemon *d, struct session *s,
				const struct sig_msg *m)
{
	struct mikey_result res;
	struct mikey_cfg c;
	const char *why = NULL;
	int err;

	mikey_cfg_of(s, &c);
	memset(&res, 0, sizeof(res));
	err = mikey_psk_init_finish(&c, &s->mikey_st, NULL, mikey_ntp_now(),
				    m->mikey_len ? m->mikey : NULL, m->mikey_len,
				    &res, &why);
	mikey_result_clear(&res);
	if (err) {
		logev(d, "drop", "MIKEY R_MESSAGE from %s refused: %s", m->from,
		      why ? why : "?");
		return -1;
	}
	return 0;
}

/*
 * @restart: after a move (seed 004 s.9) the flows are down until a pair is
 * nominated, so the controlling agent waits less for a better one.
 */
static struct ice_agent *agent_new(struct daemon *d, bool controlling,
				   bool restart, const char *ufrag,
				   const char *pwd)
{
	struct ice_agent_config c;

	ice_agent_config_default(&c);
	c.controlling = controlling;
	snprintf(c.ufrag, sizeof(c.ufrag), "%s", ufrag);
	snprintf(c.pwd, sizeof(c.pwd), "%s", pwd);
	c.max_checks = d->cfg.max_checks;
	c.max_remote = d->cfg.max_remote_cands;
	c.ta_ms = d->cfg.ta_ms;
	c.rto_ms = d->cfg.rto_ms;
	c.use_frozen = d->cfg.frozen;
	c.nomination = d->cfg.nomination == MICE_NOM_AGGRESSIVE ?
		       ICE_NOM_AGGRESSIVE : ICE_NOM_REGULAR;
	c.consent_interval_ms = d->cfg.consent_interval_s * 1000;
	c.consent_timeout_ms = d->cfg.consent_timeout_s * 1000;
	c.keepalive_ms = d->cfg.keepalive_s * 1000;
	c.nominate_wait_ms = restart ? d->cfg.restart_nom_wait_ms :
			     d->cfg.nom_wait_ms;
	c.silent_slack_ms = restart ? d->cfg.restart_silent_slack_ms :
			    d->cfg.silent_slack_ms;
	return ice_agent_new(&c, &d->clk);
}

/* Replaces s->ice by @next; the old one is freed by session_reap. */
static void session_retire(struct session *s, struct ice_agent *next)
{
	ice_agent_free(s->retired);
	s->retired = s->ice;
	s->ice = next;
}

static void session_reap(struct session *s)
{
	ice_agent_free(s->retired);
	s->retired = NULL;
}

/* The local candidates gathered so far, from the @from'th on, into s->ice. */
static void session_add_locals(struct daemon *d, struct session *s,
			       unsigned int from)
{
	unsigned int i;

	for (i = from; i < d->local.n; i++)
		ice_agent_add_local_candidate(s->ice, &d->local.c[i]);
}

static int session_ice(struct daemon *d, struct session *s, bool controlling,
		       bool restart)
{
	session_retire(s, NULL);
	s->ice = agent_new(d, controlling, restart, s->ufrag, s->pwd);
	if (!s->ice)
		return -1;
	session_add_locals(d, s, 0);
	return 0;
}

static void standby_clear(struct session *s)
{
	ice_agent_free(s->standby.ice);
	mikey_init_state_clear(&s->standby.mikey_st);
	OPENSSL_cleanse(&s->standby, sizeof(s->standby));
}

/* Frees what a session holds, keys first. */
static void session_close(struct session *s)
{
	standby_clear(s);
	session_reap(s);
	mikey_init_state_clear(&s->mikey_st);
	if (s->mikey_replay_ready)
		mikey_replay_free(&s->mikey_replay);
	ice_agent_free(s->ice);
	OPENSSL_cleanse(s, sizeof(*s));
}

/* Responder: the MIKEY answer and a controlled agent for @m, into @nx. */
static int answer_prepare(struct daemon *d, const uint8_t *psk,
			  size_t psk_len, struct mikey_replay *rc,
			  const struct sig_msg *m, bool restart,
			  struct answer_next *nx)
{
	unsigned int i;

	memset(nx, 0, sizeof(*nx));
	if (session_mikey_answer(d, psk, psk_len, rc, m, nx))
		goto fail;
	nx->ice = agent_new(d, false, restart, nx->ufrag, nx->pwd);
	if (!nx->ice) {
		logev(d, "error", "no agent for the offer from %s", m->from);
		goto fail;
	}
	for (i = 0; i < d->local.n; i++)
		ice_agent_add_local_candidate(nx->ice, &d->local.c[i]);
	return 0;
fail:
	answer_next_clear(nx);
	return -1;
}

static void session_answer_commit(struct daemon *d, struct session *s,
				  struct answer_next *nx, const char *from)
{
	memcpy(s->ufrag, nx->ufrag, sizeof(s->ufrag));
	memcpy(s->pwd, nx->pwd, sizeof(s->pwd));
	memcpy(s->remote_pwd, nx->remote_pwd, sizeof(s->remote_pwd));
	memcpy(s->mikey_msg, nx->mikey_msg, nx->mikey_len);
	s->mikey_len = nx->mikey_len;
	session_retire(s, nx->ice);
	nx->ice = NULL;
	s->initiator = false;
	OPENSSL_cleanse(nx, sizeof(*nx));
	logev(d, "mikey", "TGK from %s accepted; R_MESSAGE %zu bytes", from,
	      s->mikey_len);
}

/* The pre-shared key of peer @p, from its psk-file. */
static int peer_psk(struct daemon *d, const struct mice_cfg_peer *p,
		    uint8_t *key, size_t *len)
{
	if (p->cred != MICE_CRED_PSK_FILE || load_psk(p->psk_file, key, len)) {
		logev(d, "error", "peer %s: cannot read a key of at least 16 "
		      "bytes from its psk-file", p->name);
		return -1;
	}
	return 0;
}

/* The session becomes one with @p, keyed by @psk; the old one is closed. */
static void session_begin(struct daemon *d, const struct mice_cfg_peer *p,
			  const uint8_t *psk, size_t psk_len)
{
	struct session *s = &d->sess;

	if (d->have_sess)
		session_close(s);
	memset(s, 0, sizeof(*s));
	s->peer = p;
	s->peer_id = (uint32_t)(p - d->cfg.peers) + 1;
	memcpy(s->psk, psk, psk_len);
	s->psk_len = psk_len;
	session_new_credentials(s);
	d->have_sess = true;
}

static int session_open(struct daemon *d, const struct mice_cfg_peer *p)
{
	uint8_t psk[DAEMON_PSK_MAX];
	size_t psk_len;

	if (peer_psk(d, p, psk, &psk_len))
		return -1;
	session_begin(d, p, psk, psk_len);
	OPENSSL_cleanse(psk, sizeof(psk));
	return 0;
}

/*
 * One session at a time (docs/signalling.md): another peer's offer does
 * not replace it while it lives, i.e. until its checks or its consent
 * failed.
 */
static bool session_live(const struct daemon *d)
{
	return d->have_sess && !(d->sess.ice &&
				 ice_agent_state(d->sess.ice) == ICE_ST_FAILED);
}

static void remote_from_offer(const struct sig_msg *m, struct ice_cand *c,
			      unsigned int *n)
{
	unsigned int i;

	*n = 0;
	for (i = 0; i < m->ice.n_cand; i++)
		mipice_cand_to_ice(&m->ice.cand[i], &c[(*n)++]);
}

/*
 * RFC 8445 s.14.2: both agents pace their checks by the larger of the two
 * proposed Ta values (ours is in every offer and answer we send), before
 * the first check goes.
 */
static void session_agree_ta(struct daemon *d, struct session *s,
			     const struct sig_msg *m)
{
	uint32_t ta = ice_ta_agreed(d->cfg.ta_ms, m->ice.pacing_ms);

	ice_agent_set_ta(s->ice, ta);
	s->ta_agreed = ta;
	logev(d, "pacing", "Ta %u ms: ours %u, %s's %u%s", ta, d->cfg.ta_ms,
	      m->from, m->ice.pacing_ms ? m->ice.pacing_ms : ICE_DEFAULT_TA_MS,
	      m->ice.pacing_ms ? "" : " (none proposed: the default)");
}

/*
 * The peer's address as our Home Agent saw its message come (seed 004
 * s.1.1: a server-reflexive candidate, RFC 8445 s.5.1.1.2), which its own
 * offer may not carry yet: after a move it offers before its srflx answer
 * is in. Taken only when the HA vouched for it under our MN-HA key (seed
 * 004 s.14: nothing unauthenticated is checked).
 *
 * Its priority is that of the best host candidate, one above any the peer
 * sends (type preference 126, local preference 65535), so that our first
 * check goes to it: it is the one address known to reach the peer at this
 * moment, and behind an address-filtering NAT our check toward it is what
 * lets the peer's checks in. The controlling agent still nominates by its
 * own priorities, so this orders our checks and nothing else.
 */
static bool cands_have(const struct ice_cand *c, unsigned int n,
		       const struct ice_addr *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ice_addr_eq(&c[i].addr, a))
			return true;
	return false;
}

static void mn_add_observed(struct daemon *d, const uint8_t *buf, size_t len,
			    const struct sig_msg *m, struct ice_cand *rc,
			    unsigned int *n)
{
	struct ice_addr obs;
	struct ice_cand *c;
	const char *why;
	char a[64];

	if (!m->observed.family)
		return;
	if (sig_observed_verify(buf, len, d->cfg.max_remote_cands, d->ha_key,
				d->ha_key_len, &obs, &why)) {
		logev(d, "drop", "the observed address in the %s from %s: %s",
		      sig_kind_name(m->kind), m->from, why);
		return;
	}
	if (cands_have(rc, *n, &obs))
		return;		/* its own srflx candidate */
	if (*n >= MIPICE_CAND_MAX || *n >= d->cfg.max_remote_cands)
		return;
	c = &rc[(*n)++];
	memset(c, 0, sizeof(*c));
	c->type = ICE_CAND_SRFLX;
	c->transport = ICE_TRANSPORT_UDP;
	c->component = 1;
	c->local_pref = 65535;
	c->addr = obs;
	c->base = obs;
	c->priority = ice_priority(ICE_TYPE_PREF_HOST, 65535, c->component);
	logev(d, "candidate", "remote srflx %s of %s, as our home agent saw it",
	      addr_s(&obs, a, sizeof(a)), m->from);
}

static void ice_send(struct daemon *d, struct session *s);

static void session_keep_remote(struct session *s, const struct ice_cand *rc,
				unsigned int n)
{
	memcpy(s->prev_rc, rc, n * sizeof(*rc));
	s->prev_n = n;
}

/* Does every candidate of @rc have an address of the last exchange's? */
static bool cands_known(const struct session *s, const struct ice_cand *rc,
			unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!cands_have(s->prev_rc, s->prev_n, &rc[i].addr))
			return false;
	return true;
}

/*
 * After a move: the path the flows used is checked first (and, @hold,
 * alone until released), see ice_agent_set_known_remote().
 */
static void session_prefer_last_path(struct session *s, bool hold)
{
	if (!s->have_selected_remote)
		return;
	ice_agent_set_known_remote(s->ice, &s->selected_remote);
	ice_agent_hold_unknown(s->ice, hold);
}

/*
 * The answer to an offer whose checks began before it (mn_check_early):
 * they go on if they already chose a pair or if the answer brings no
 * address they lack; otherwise a fresh agent (our credentials are those
 * of the offer) starts over with the answer's set. True: nothing more to
 * do with the answer.
 */
static bool mn_early_checks_go_on(struct daemon *d, struct session *s,
				  const struct ice_cand *rc, unsigned int n)
{
	s->early_checks = false;
	if (ice_agent_state(s->ice) == ICE_ST_COMPLETED || cands_known(s, rc, n)) {
		ice_agent_hold_unknown(s->ice, false);	/* the rest may go now */
		return true;
	}
	logev(d, "ice-restart", "the answer of %s brings candidates the early "
	      "checks lack: checks start over", s->peer->name);
	if (session_ice(d, s, true, true)) {
		logev(d, "error", "no agent for the answer's candidates");
		return true;
	}
	return false;
}

/*
 * Initiator, after a move (seed 004 s.9), as the subsequent offer goes:
 * its agent takes the peer's candidates of the last exchange, with the
 * peer's new credentials that our TGK gives (derive_creds) and the Ta
 * agreed last time, and checks the one the flows used at once; the rest
 * wait for the answer, as do pairs the peer's checks do not trigger.
 * Behind an address-filtering NAT our first check cannot reach the peer,
 * but it opens our NAT to the peer's checks, which start as soon as the
 * offer reaches it; those get through, our check is sent again at once
 * on them (schedule_resend), and the pair is valid and nominated while
 * the answer is still on its way back through the HA. Only what the peer
 * authenticated last time is checked (seed 004 s.14), and only the peer,
 * holding the TGK, can answer these checks.
 */
static void mn_check_early(struct daemon *d, struct session *s)
{
	enum ice_err err;

	if (!d->cfg.early_checks || s->early_checks || !s->remote_ufrag[0] ||
	    !s->prev_n || !s->expect_ufrag[0] || !s->ice)
		return;
	session_prefer_last_path(s, true);	/* the rest once answered */
	if (s->ta_agreed)
		ice_agent_set_ta(s->ice, s->ta_agreed);
	err = ice_agent_set_remote(s->ice, s->expect_ufrag, s->remote_pwd,
				   s->prev_rc, s->prev_n, true, now_ms(d));
	if (err != ICE_OK) {
		logev(d, "error", "early checks: %s", ice_err_str(err));
		return;
	}
	s->early_checks = true;
	s->checks_from_ms = now_ms(d);
	logev(d, "checks-early", "toward the %u candidates %s gave last, "
	      "before its answer (its credentials come from our TGK)",
	      s->prev_n, s->peer->name);
	ice_send(d, s);
}

/*
 * Authenticates an offer or answer of @p's under @psk (seed 004 s.14) and
 * says how fresh it is against the newest accepted from @p.
 */
static int mn_verify(struct daemon *d, const uint8_t *buf, size_t len,
		     const struct sig_msg *m, const struct mice_cfg_peer *p,
		     const uint8_t *psk, size_t psk_len, enum sig_fresh *fresh)
{
	const char *why;

	if (sig_verify(buf, len, d->cfg.max_remote_cands, psk, psk_len,
		       (uint64_t)time(NULL), &why)) {
		logev(d, "drop", "%s from %s: %s", sig_kind_name(m->kind),
		      m->from, why);
		return -1;
	}
	*fresh = sig_replay_check(&d->peer_seen[p - d->cfg.peers],
				  m->timestamp, m->seq);
	return 0;
}

static void mn_drop_replay(struct daemon *d, const struct sig_msg *m)
{
	logev(d, "drop", "%s from %s: a replay (seq %u at %llu is not newer "
	      "than the last accepted)", sig_kind_name(m->kind), m->from,
	      m->seq, (unsigned long long)m->timestamp);
}

/*
 * An offer from @p, with whom there is no session: the session is made
 * only once the offer is authenticated under @p's key, is newer than any
 * accepted from @p, and its MIKEY part has been answered; a live session
 * with another peer is never touched (one at a time, docs/signalling.md).
 */
static int mn_session_from_offer(struct daemon *d, const uint8_t *buf,
				 size_t len, const struct sig_msg *m,
				 const struct mice_cfg_peer *p)
{
	uint8_t psk[DAEMON_PSK_MAX];
	struct mikey_replay cache;
	struct answer_next nx;
	enum sig_fresh fresh;
	size_t psk_len;
	int ret = -1;

	if (m->kind == SIG_ANSWER) {
		logev(d, "drop", "answer from %s: no session with it", m->from);
		return -1;
	}
	if (peer_psk(d, p, psk, &psk_len))
		return -1;
	if (mn_verify(d, buf, len, m, p, psk, psk_len, &fresh))
		goto out;
	if (fresh != SIG_FRESH_NEWER) {
		mn_drop_replay(d, m);
		goto out;
	}
	if (session_live(d)) {
		logev(d, "drop", "offer from %s refused: the session with %s "
		      "is live (one session at a time)", m->from,
		      d->sess.peer->name);
		goto out;
	}
	if (mikey_replay_init(&cache, MIKEY_DEFAULT_REPLAY, MIKEY_DEFAULT_SKEW)) {
		logev(d, "error", "no MIKEY replay cache for %s", m->from);
		goto out;
	}
	if (answer_prepare(d, psk, psk_len, &cache, m, false, &nx)) {
		mikey_replay_free(&cache);
		goto out;
	}
	session_begin(d, p, psk, psk_len);
	d->sess.mikey_replay = cache;
	d->sess.mikey_replay_ready = true;
	session_answer_commit(d, &d->sess, &nx, m->from);
	ret = 0;
out:
	OPENSSL_cleanse(psk, sizeof(psk));
	return ret;
}

/*
 * Verify before act (seed 004 s.14, docs/security.md "The mobile node's
 * sessions"): nothing below changes the session before the message is
 * authenticated under the key of the peer it names and has passed the
 * replay checks (the timestamp window in sig_verify, newer than the last
 * accepted from that peer, and for an offer the MIKEY replay cache); a
 * restart's new state is computed aside and committed only when all of
 * it succeeded. A message about one peer never touches another's session.
 */
static void mn_on_offer_or_answer(struct daemon *d, const uint8_t *buf,
				  size_t len, const struct sig_msg *m)
{
	static struct ice_cand rc[MIPICE_CAND_MAX];
	const struct mice_cfg_peer *p = peer_by_name(d, m->from);
	struct session *s = &d->sess;
	struct answer_next nx;
	enum sig_fresh fresh;
	enum ice_err err;
	unsigned int n;
	bool restart = false;

	if (!p) {
		logev(d, "drop", "%s from unknown peer %s", sig_kind_name(m->kind),
		      m->from);
		return;
	}
	if (strcmp(m->to, d->name))
		return;
	if (!d->have_sess || s->peer != p) {
		if (mn_session_from_offer(d, buf, len, m, p))
			return;
		goto accepted;
	}
	if (mn_verify(d, buf, len, m, p, s->psk, s->psk_len, &fresh))
		return;
	restart = s->remote_ufrag[0] && strcmp(s->remote_ufrag, m->ice.ufrag);
	if (m->kind == SIG_ANSWER) {
		if (!s->initiator || (s->answered && !restart))
			return;
		if (fresh != SIG_FRESH_NEWER) {
			mn_drop_replay(d, m);
			return;
		}
		if (strcmp(m->ice.ufrag, s->expect_ufrag)) {
			logev(d, "drop", "answer from %s: ufrag %s, not the %s "
			      "our TGK gives", m->from, m->ice.ufrag,
			      s->expect_ufrag);
			return;
		}
		if (session_mikey_finish(d, s, m))
			return;
		s->answered = true;
		goto accepted;
	}
	if (s->remote_ufrag[0] && !restart) {
		/* a retransmitted offer (or the same one again): the same answer */
		if (fresh == SIG_FRESH_OLDER) {
			mn_drop_replay(d, m);
			return;
		}
		sig_replay_accept(&d->peer_seen[p - d->cfg.peers],
				  m->timestamp, m->seq);
		send_signal(d, s, SIG_ANSWER);
		return;
	}
	if (fresh != SIG_FRESH_NEWER) {
		mn_drop_replay(d, m);
		return;
	}
	if (!s->mikey_replay_ready) {
		if (mikey_replay_init(&s->mikey_replay, MIKEY_DEFAULT_REPLAY,
				      MIKEY_DEFAULT_SKEW))
			return;
		s->mikey_replay_ready = true;
	}
	/* fresh passwords from the offer's MIKEY TGK, new RAND on restart */
	if (answer_prepare(d, s->psk, s->psk_len, &s->mikey_replay, m, restart,
			   &nx))
		return;
	if (restart)
		logev(d, "ice-restart", "subsequent offer from %s (seed 004 s.9)",
		      m->from);
	session_answer_commit(d, s, &nx, m->from);
accepted:
	sig_replay_accept(&d->peer_seen[p - d->cfg.peers], m->timestamp,
			  m->seq);
	snprintf(s->remote_ufrag, sizeof(s->remote_ufrag), "%s", m->ice.ufrag);
	remote_from_offer(m, rc, &n);
	mn_add_observed(d, buf, len, m, rc, &n);
	logev(d, m->kind == SIG_OFFER ? "offer-received" : "answer-received",
	      "from %s: ufrag %s, %u candidates", m->from, m->ice.ufrag, n);
	session_agree_ta(d, s, m);
	if (m->kind == SIG_ANSWER && s->early_checks &&
	    mn_early_checks_go_on(d, s, rc, n)) {
		session_keep_remote(s, rc, n);
		return;
	}
	if (restart)
		session_prefer_last_path(s, false);
	err = ice_agent_set_remote(s->ice, m->ice.ufrag, s->remote_pwd, rc, n,
				   true, now_ms(d));
	if (err != ICE_OK) {
		logev(d, "error", "remote candidates refused: %s", ice_err_str(err));
		return;
	}
	session_keep_remote(s, rc, n);
	s->checks_from_ms = now_ms(d);
	/*
	 * The first check goes now, before the answer: behind an address-
	 * filtering NAT it is what lets the initiator's checks in, and the
	 * answer that lets the initiator start them takes the longer way,
	 * through the HA.
	 */
	ice_send(d, s);
	if (m->kind == SIG_OFFER)
		send_signal(d, s, SIG_ANSWER);
}

/*
 * Our relayed candidate (seed 004 s.1.1 item 3): its base is itself
 * (RFC 8445 s.5.1.1.1), type preference 0 (s.5.1.2.2) so every direct
 * path is tried first.
 */
static void mn_add_relay_candidate(struct daemon *d)
{
	struct ice_cand c;
	char a[64];

	/* without an MN-HA key nothing we send to the relay is believed */
	if (!d->relay.family || !d->hosts_listed || !d->ha_key_len)
		return;
	memset(&c, 0, sizeof(c));
	c.type = ICE_CAND_RELAY;
	c.transport = ICE_TRANSPORT_UDP;
	c.component = 1;
	c.local_pref = 65535;
	c.addr = d->relay;
	c.base = d->relay;
	c.server = d->cfg.home_agent;
	ice_cand_compute_priority(&c);
	if (ice_cand_set_add(&d->local, &c, NULL) != ICE_ADD_NEW)
		return;
	logev(d, "candidate", "relay %s (at the home agent) priority %u",
	      addr_s(&c.addr, a, sizeof(a)), c.priority);
}

/* Tells the HA which peer the relayed media goes to (agent/relay.h). */
static void mn_relay_bind(struct daemon *d, struct session *s,
			  const struct ice_addr *peer)
{
	uint8_t frame[RELAY_FRAME_MAX];
	size_t n;

	n = relay_send_build(peer, NULL, 0, true, sign_seq_next(d), d->ha_key,
			     d->ha_key_len, frame, sizeof(frame));
	if (n && !send_to(d, &d->cfg.home_agent, NULL, frame, n))
		s->relay_bound = *peer;
}

static void mn_on_mh(struct daemon *d, const uint8_t *buf, size_t len,
		     const struct ice_addr *from)
{
	struct sig_msg m;
	const char *why;
	char a[64];

	if (sig_decode(buf, len, d->cfg.max_remote_cands, &m, &why)) {
		logev(d, "drop", "mobility header from %s: %s",
		      addr_s(from, a, sizeof(a)), why);
		return;
	}
	if (!ice_addr_eq(from, &d->cfg.home_agent)) {
		logev(d, "drop", "%s from %s, not our home agent",
		      sig_kind_name(m.kind), addr_s(from, a, sizeof(a)));
		return;
	}
	if (m.kind == SIG_REGISTERED && m.status) {
		/* unauthenticated by nature: it only ever costs a log line */
		if (m.status != d->reg_refused)
			logev(d, "error", "the home agent %s refused our registration: "
			      "status %u, %s", addr_s(from, a, sizeof(a)), m.status,
			      sig_status_name(m.status));
		d->reg_refused = m.status;
		return;
	}
	if (m.kind == SIG_REGISTERED && d->ha_key_len &&
	    sig_verify(buf, len, d->cfg.max_remote_cands, d->ha_key,
		       d->ha_key_len, (uint64_t)time(NULL), &why)) {
		logev(d, "drop", "registration acknowledgement from %s: %s",
		      addr_s(from, a, sizeof(a)), why);
		return;
	}
	if (m.kind == SIG_REGISTERED) {
		d->reg_refused = 0;
		if (!d->registered)
			logev(d, "registered", "with the home agent %s%s",
			      addr_s(from, a, sizeof(a)),
			      d->ha_key_len ? " (authenticated)" : "");
		d->registered = true;
		d->ha_knows_us = true;
		/* only a signed BA says so: a forged one must not change it */
		d->ha_observes = d->ha_key_len && m.observed.family;
		if (m.relay.family && !ice_addr_eq(&m.relay, &d->relay)) {
			d->relay = m.relay;
			mn_add_relay_candidate(d);
		}
		if (d->have_sess && d->sess.relay_bound.family)
			mn_relay_bind(d, &d->sess, &d->sess.relay_bound);
		return;
	}
	if (m.kind == SIG_OFFER || m.kind == SIG_ANSWER)
		mn_on_offer_or_answer(d, buf, len, &m);
}

static void mn_register(struct daemon *d)
{
	uint8_t out[256];
	struct sig_msg m;
	const char *why;
	size_t len;

	memset(&m, 0, sizeof(m));
	m.kind = SIG_REGISTER;
	m.seq = ++d->reg_seq;
	m.timestamp = (uint64_t)time(NULL);
	snprintf(m.from, sizeof(m.from), "%s", d->name);
	if (!sig_encode(&m, d->ha_key, d->ha_key_len, out, sizeof(out), &len,
			&why) &&
	    send_to(d, &d->cfg.home_agent, NULL, out, len)) {
		d->next_reg_ms = now_ms(d) + DAEMON_SEND_RETRY_MS;
		return;
	}
	/* Until the HA answers (lost, or no route yet after a move), retry soon. */
	d->next_reg_ms = now_ms(d) + (d->registered ? DAEMON_REG_EVERY_MS :
				      DAEMON_OFFER_EVERY_MS);
}

/*
 * Addresses on the mice tunnel device itself are no candidates: checks
 * and data would be carried inside the tunnel they are meant to set up.
 */
static void drop_tunnel_candidates(struct daemon *d, struct ice_cand_set *set)
{
	struct ifaddrs *ifa, *i;
	unsigned int k;

	if (!d->dev || getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		struct ice_addr a;

		if (!i->ifa_addr || strcmp(i->ifa_name, d->dev) ||
		    ice_addr_from_sockaddr(&a, i->ifa_addr))
			continue;
		for (k = 0; k < set->n; k++) {
			if (!ice_addr_ip_eq(&set->c[k].addr, &a))
				continue;
			set->c[k] = set->c[--set->n];
			k--;
		}
	}
	freeifaddrs(ifa);
}

/* The host candidates (agent/gather.h), less the tunnel's own. */
static int mn_host_candidates(struct daemon *d, struct ice_cand_set *set,
			      char *err, size_t len)
{
	ice_cand_set_init(set, d->cfg.max_local_cands, 'L');
	if (gather_host(&d->gopts, set, err, len) < 0)
		return -1;
	drop_tunnel_candidates(d, set);
	return 0;
}

/*
 * Can the node re-gather after a move (seed 004 s.9)? Only once the
 * kernel routes to the Home Agent, and to the STUN server, from a usable
 * host address: registering, the srflx request and the offer go there
 * first. Else sets @why. On success d->ready_set holds the host
 * candidates it found.
 */
static bool mn_path_ready(struct daemon *d, char *why, size_t len)
{
	struct ice_cand_set *set = &d->ready_set;
	const struct ice_addr *dst[2] = { &d->cfg.home_agent, NULL };
	char err[256], a[64], b[64];
	unsigned int i, k;

	if (d->cfg.has_stun_server &&
	    !ice_addr_eq(&d->cfg.stun_server, &d->cfg.home_agent))
		dst[1] = &d->cfg.stun_server;
	if (mn_host_candidates(d, set, err, sizeof(err))) {
		snprintf(why, len, "gathering host candidates: %.120s", err);
		return false;
	}
	for (i = 0; i < 2 && dst[i]; i++) {
		struct ice_addr src;
		int ret = gather_route_src(dst[i], &src);

		if (ret) {
			snprintf(why, len, "no route to %s: %s",
				 addr_s(dst[i], a, sizeof(a)), strerror(-ret));
			return false;
		}
		for (k = 0; k < set->n; k++)
			if (ice_addr_ip_eq(&set->c[k].addr, &src))
				break;
		if (k == set->n) {
			snprintf(why, len, "the route to %s leaves from %s, "
				 "no usable address", addr_s(dst[i], a, sizeof(a)),
				 inet_ntop(src.family, src.ip, b, sizeof(b)) ? b : "?");
			return false;
		}
		snprintf(why, len, "a route to %s from %s",
			 addr_s(dst[i], a, sizeof(a)),
			 inet_ntop(src.family, src.ip, b, sizeof(b)) ? b : "?");
	}
	return true;
}

/*
 * The HA relays an offer only from the address a node registered (seed
 * 004 s.3). The first offer waits for the registration's answer. After a
 * move the new Binding Update went to the HA from the same socket before
 * the srflx request was even answered, so the HA has it by the time the
 * offer arrives: waiting for its BA as well would add one more round trip
 * to the handover gap. Should the BU be lost, the HA drops the offer and
 * both are sent again (mn_register, DAEMON_OFFER_EVERY_MS).
 */
static bool mn_offer_ready(const struct daemon *d)
{
	return d->ha_knows_us;	/* set with every registered */
}

/*
 * The initiator's next offer (the first, or a subsequent one after a
 * move, seed 004 s.9): new credentials, a fresh MIKEY I_MESSAGE and a new
 * agent with the candidates gathered so far. Made while the srflx request
 * is out, it costs the handover gap nothing (under TCG it costs ~10 ms).
 */
/*
 * Initiator, once the session is up and then every DAEMON_STANDBY_MAX_MS:
 * the next restart's credentials and agent, ahead of any move.
 */
static void mn_standby_make(struct daemon *d)
{
	struct session *s = &d->sess;

	standby_clear(s);
	random_string(s->standby.ufrag, 8);
	if (mikey_offer_make(d, s, &s->standby.mikey_st, s->standby.mikey_msg,
			     &s->standby.mikey_len, s->standby.pwd,
			     s->standby.remote_pwd, s->standby.remote_ufrag))
		return;
	s->standby.ice = agent_new(d, true, true, s->standby.ufrag,
				   s->standby.pwd);
	if (!s->standby.ice) {
		standby_clear(s);
		return;
	}
	s->standby.made_ms = now_ms(d);
	s->standby.ready = true;
	logev(d, "standby", "MIKEY I_MESSAGE %zu bytes and an agent made for "
	      "the next ICE restart", s->standby.mikey_len);
}

/* Made once the session is up, so that it never delays the checks. */
static void mn_standby_timer(struct daemon *d)
{
	struct session *s = &d->sess;

	if (!d->have_sess || !s->initiator || !s->ice || s->prepared ||
	    ice_agent_state(s->ice) != ICE_ST_COMPLETED ||
	    now_ms(d) < s->standby_at)
		return;
	mn_standby_make(d);
	s->standby_at = now_ms(d) + DAEMON_STANDBY_REFRESH_MS;
}

/* Moves the standby credentials and agent into the session, if fresh. */
static bool session_take_standby(struct daemon *d, struct session *s)
{
	if (!s->standby.ready ||
	    now_ms(d) - s->standby.made_ms >= DAEMON_STANDBY_MAX_MS)
		return false;
	memcpy(s->ufrag, s->standby.ufrag, sizeof(s->ufrag));
	memcpy(s->pwd, s->standby.pwd, sizeof(s->pwd));
	memcpy(s->remote_pwd, s->standby.remote_pwd, sizeof(s->remote_pwd));
	memcpy(s->expect_ufrag, s->standby.remote_ufrag,
	       sizeof(s->expect_ufrag));
	memcpy(s->mikey_msg, s->standby.mikey_msg, sizeof(s->mikey_msg));
	s->mikey_len = s->standby.mikey_len;
	mikey_init_state_clear(&s->mikey_st);
	s->mikey_st = s->standby.mikey_st;
	memset(&s->standby.mikey_st, 0, sizeof(s->standby.mikey_st));
	session_retire(s, s->standby.ice);
	s->standby.ice = NULL;
	standby_clear(s);
	s->standby_at = 0;
	session_add_locals(d, s, 0);
	logev(d, "mikey", "I_MESSAGE %zu bytes (PSK, AES-CM-128, verify), "
	      "made ahead; ICE passwords derived from the TGK", s->mikey_len);
	return true;
}

static void mn_prepare_offer(struct daemon *d)
{
	struct session *s = &d->sess;

	s->prepared = false;
	if (s->remote_ufrag[0] && session_take_standby(d, s)) {
		s->prepared = true;
		s->prepared_cands = d->local.n;
		return;
	}
	session_new_credentials(s);
	if (session_mikey_offer(d, s) ||
	    session_ice(d, s, true, s->remote_ufrag[0]))
		return;
	s->prepared = true;
	s->prepared_cands = d->local.n;
}

/* The offer now, and again every DAEMON_OFFER_EVERY_MS until answered. */
static void mn_send_offer(struct daemon *d, struct session *s)
{
	send_signal(d, s, SIG_OFFER);
	if (!s->offers_sent && !s->answered)
		mn_check_early(d, s);
	s->offers_sent++;
	s->next_offer_ms = now_ms(d) + DAEMON_OFFER_EVERY_MS;
}

/* Does a re-gathering send the subsequent offer at once (mn_offer_early)? */
static bool mn_offers_early(const struct daemon *d)
{
	return d->ha_observes && d->have_sess && d->sess.initiator &&
	       d->sess.remote_ufrag[0];
}

/* The prepared offer, completed with what was gathered since, goes now. */
static void mn_offer_prepared(struct daemon *d)
{
	struct session *s = &d->sess;

	if (!s->prepared)
		mn_prepare_offer(d);
	if (!s->prepared)
		return;
	session_add_locals(d, s, s->prepared_cands);
	s->prepared = false;
	s->answered = false;
	s->offers_sent = 0;
	s->next_offer_ms = now_ms(d);
}

static void mn_gathering_done(struct daemon *d)
{
	struct ice_cand c;
	char a[64];

	d->gathered = true;
	if (d->srflx.state == SRFLX_DONE &&
	    !srflx_candidate(&d->srflx, 1, 65535, &c)) {
		ice_cand_set_add(&d->local, &c, NULL);
		logev(d, "candidate", "srflx %s (base %s) priority %u",
		      addr_s(&c.addr, a, sizeof(a)),
		      addr_s(&c.base, a + 32, 32), c.priority);
	} else if (d->srflx.state != SRFLX_IDLE) {
		logev(d, "candidate", "no srflx candidate: %s",
		      srflx_state_name(d->srflx.state));
	}
	mn_add_relay_candidate(d);
	if (d->have_sess && d->sess.offered_early) {
		/* the offer went without it; the HA told the peer our address */
		d->sess.offered_early = false;
		return;
	}
	if (d->have_sess && d->sess.initiator)
		mn_offer_prepared(d);
}

/*
 * After a move, when our HA vouches for our address in what it relays
 * (d->ha_observes): the subsequent offer goes at once, right after the
 * new registration, with the host candidates and the relayed one (which
 * outlives the move). The peer learns our new server-reflexive address
 * from the HA, so the srflx round trip is off the handover gap; our own
 * srflx answer, when it comes, only completes the local set.
 */
static void mn_offer_early(struct daemon *d)
{
	struct session *s = &d->sess;

	if (!mn_offers_early(d) || d->gathered)
		return;
	mn_add_relay_candidate(d);
	mn_offer_prepared(d);
	if (!s->ice || !mn_offer_ready(d))
		return;
	s->offered_early = true;
	logev(d, "offer-early", "not waiting for the srflx answer: the home "
	      "agent vouches for our address");
	mn_send_offer(d, s);
}

/*
 * @hosts: the host candidates mn_path_ready() has just found (listing
 * them again costs milliseconds of the handover gap), or NULL.
 */
static void mn_gather(struct daemon *d, const struct ice_cand_set *hosts)
{
	struct stun_txn_cfg tc;
	char err[256], a[64];
	unsigned int i;

	if (hosts) {
		d->local = *hosts;
	} else if (mn_host_candidates(d, &d->local, err, sizeof(err))) {
		logev(d, "error", "gathering host candidates: %s", err);
		return;
	}
	d->hosts_listed = true;
	for (i = 0; i < d->local.n; i++)
		logev(d, "candidate", "host %s priority %u",
		      addr_s(&d->local.c[i].addr, a, sizeof(a)),
		      d->local.c[i].priority);
	d->gathered = false;
	if (d->cfg.has_stun_server && d->local.n) {
		stun_txn_cfg_default(&tc);
		tc.rc = 3;
		srflx_start(&d->srflx, &d->local.c[0].base, &d->cfg.stun_server,
			    &tc, now_ms(d));
		d->srflx_resend_at = 0;
		if (mn_offers_early(d))
			/* after the registration and the offer (mn_timers) */
			d->srflx_resend_at = now_ms(d);
		else if (send_to(d, &d->cfg.stun_server, &d->local.c[0].base,
				 d->srflx.req, d->srflx.req_len))
			d->srflx_resend_at = now_ms(d) + DAEMON_SEND_RETRY_MS;
		if (d->have_sess && d->sess.initiator)
			mn_prepare_offer(d);
	} else if (d->local.n) {
		mn_gathering_done(d);	/* no STUN server: host candidates only */
	} else {
		d->gathered = true;
		logev(d, "candidate", "no usable address; waiting for one");
	}
}

static void on_addr_event(enum gather_event ev, const struct gather_addr *ga,
			  bool usable, const char *why, void *arg)
{
	struct daemon *d = arg;
	uint64_t now = now_ms(d);

	(void)ga;
	(void)why;
	/* a route only matters while a re-gathering waits for one */
	if (ev == GATHER_EV_ROUTE) {
		if (d->regather)
			d->regather_check = true;
		return;
	}
	if (!usable && ev != GATHER_EV_DEL && ev != GATHER_EV_RESYNC)
		return;
	/*
	 * Re-gather once a usable address routes to the Home Agent (see
	 * mn_path_ready): an address and its route come as several messages,
	 * the route often last. Each ms here is a ms of the handover gap.
	 */
	d->regather_at = now + d->cfg.regather_fallback_ms;
	d->regather = true;
	d->regather_ready = false;	/* ready_set may be out of date */
	d->regather_check = true;
	logev(d, "address", "%s: re-gathering (seed 004 s.9)", gather_event_name(ev));
}

static void ice_events(struct daemon *d, struct session *s)
{
	const struct ice_addr *remote;
	struct ice_event ev;
	char a[64], b[64];

	while (ice_agent_next_event(s->ice, &ev)) {
		switch (ev.type) {
		case ICE_EV_PAIR_STATE: {
			const struct checklist *cl = ice_agent_checklist(s->ice);
			const struct cl_pair *p = NULL;
			unsigned int i;

			for (i = 0; cl && i < cl->n; i++)
				if (cl->pairs[i].id == ev.pair_id)
					p = &cl->pairs[i];
			if (p)
				emit(d, d->opts->verbose, "pair", "%u %s -> %s local %s "
				     "remote %s (%s/%s)", ev.pair_id,
				     cl_state_name(ev.old_state),
				     cl_state_name(ev.new_state),
				     addr_s(&p->local.addr, a, sizeof(a)),
				     addr_s(&p->remote.addr, b, sizeof(b)),
				     ice_cand_type_name(p->local.type),
				     ice_cand_type_name(p->remote.type));
			else
				emit(d, d->opts->verbose, "pair", "%u %s -> %s",
				     ev.pair_id, cl_state_name(ev.old_state),
				     cl_state_name(ev.new_state));
			break;
		}
		case ICE_EV_NOMINATED:
			emit(d, d->opts->verbose, "nominated", "local %s remote %s (%s/%s)",
			     addr_s(&ev.pair.local.addr, a, sizeof(a)),
			     addr_s(&ev.pair.remote.addr, b, sizeof(b)),
			     ice_cand_type_name(ev.pair.local.type),
			     ice_cand_type_name(ev.pair.remote.type));
			break;
		case ICE_EV_SELECTED:
			logev(d, "selected", "local %s remote %s (%s/%s) %llu ms after the checks began",
			      addr_s(&ev.pair.local.addr, a, sizeof(a)),
			      addr_s(&ev.pair.remote.addr, b, sizeof(b)),
			      ice_cand_type_name(ev.pair.local.type),
			      ice_cand_type_name(ev.pair.remote.type),
			      (unsigned long long)(now_ms(d) - s->checks_from_ms));
			s->selected_remote = ev.pair.remote.addr;
			s->have_selected_remote = true;
			if (ev.pair.local.type == ICE_CAND_RELAY) {
				/* media leaves through the HA, which we bind */
				remote = &d->cfg.home_agent;
				mn_relay_bind(d, s, &ev.pair.remote.addr);
			} else {
				remote = &ev.pair.remote.addr;
			}
			if (!s->kernel_pair || !ice_addr_eq(&s->kernel_remote, remote))
				kernel_pair(d, s, remote);
			if (!s->standby.ready)
				s->standby_at = now_ms(d) + DAEMON_STANDBY_DELAY_MS;
			break;
		case ICE_EV_COMPLETED:
			logev(d, "completed", "checks sent %llu",
			      (unsigned long long)ice_agent_stats(s->ice)->checks_sent);
			break;
		case ICE_EV_FAILED:
			logev(d, "failed", "no pair succeeded");
			break;
		case ICE_EV_CONSENT_LOST:
			logev(d, "consent-lost", "no consent for %u s (RFC 7675)",
			      d->cfg.consent_timeout_s);
			kernel_pair_del(d, s);
			break;
		case ICE_EV_ROLE:
			logev(d, "role", "now %s", ev.controlling ?
			      "controlling" : "controlled");
			break;
		default:
			break;
		}
	}
}

static void ice_send(struct daemon *d, struct session *s)
{
	struct ice_tx tx;

	uint8_t frame[RELAY_FRAME_MAX];
	size_t n;

	while (ice_agent_poll(s->ice, now_ms(d), &tx) == 1) {
		if (!d->relay.family || !ice_addr_eq(&tx.local_base, &d->relay)) {
			send_to(d, &tx.to, &tx.local_base, tx.buf, tx.len);
			continue;
		}
		/* from our relayed candidate: through the HA (agent/relay.h) */
		n = relay_send_build(&tx.to, tx.buf, tx.len, false,
				     sign_seq_next(d), d->ha_key, d->ha_key_len,
				     frame, sizeof(frame));
		if (n)
			send_to(d, &d->cfg.home_agent, NULL, frame, n);
	}
	ice_events(d, s);
}

/* ---- the control socket: `mice status` --------------------------------------- */

static void status_cand(struct json *j, const struct ice_cand *c)
{
	char a[64];

	json_obj_open(j, NULL);
	json_str(j, "type", ice_cand_type_name(c->type));
	json_str(j, "address", addr_s(&c->addr, a, sizeof(a)));
	json_u64(j, "priority", c->priority);
	json_str(j, "foundation", c->foundation);
	json_obj_close(j);
}

/* The daemon's state as one JSON object, for operators and tests. */
static void status_write(struct daemon *d, FILE *f)
{
	const struct session *s = &d->sess;
	struct ice_pair_info sel;
	struct json j;
	unsigned int i;
	char a[64];

	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "role", d->cfg.role == MICE_ROLE_HA ? "ha" : "mn");
	if (d->name)
		json_str(&j, "name", d->name);
	json_str(&j, "listen", addr_s(&d->bound, a, sizeof(a)));
	json_bool(&j, "kernel", d->kernel);
	if (d->cfg.role == MICE_ROLE_HA) {
		json_arr_open(&j, "registrations");
		for (i = 0; i < DAEMON_MAX_REGS; i++) {
			if (!d->regs[i].name[0] || d->regs[i].expires_ms < now_ms(d))
				continue;
			json_obj_open(&j, NULL);
			json_str(&j, "name", d->regs[i].name);
			json_str(&j, "address", addr_s(&d->regs[i].addr, a, sizeof(a)));
			if (d->regs[i].relay.family) {
				json_str(&j, "relay", addr_s(&d->regs[i].relay, a,
							   sizeof(a)));
				if (d->regs[i].bound.family)
					json_str(&j, "relay_bound",
						 addr_s(&d->regs[i].bound, a, sizeof(a)));
				json_u64(&j, "relayed_in", d->regs[i].relayed_in);
				json_u64(&j, "relayed_out", d->regs[i].relayed_out);
				json_u64(&j, "relay_drops", d->regs[i].relay_drops);
			}
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_obj_close(&j);
		json_end(&j);
		return;
	}
	json_bool(&j, "registered", d->registered);
	json_arr_open(&j, "candidates");
	for (i = 0; i < d->local.n; i++)
		status_cand(&j, &d->local.c[i]);
	json_arr_close(&j);
	json_arr_open(&j, "sessions");
	if (d->have_sess && s->ice) {
		const struct checklist *cl = ice_agent_checklist(s->ice);

		json_obj_open(&j, NULL);
		json_str(&j, "peer", s->peer->name);
		json_str(&j, "state", ice_state_name(ice_agent_state(s->ice)));
		json_str(&j, "role", ice_agent_controlling(s->ice) ?
			 "controlling" : "controlled");
		json_str(&j, "ufrag", s->ufrag);
		json_str(&j, "remote_ufrag", s->remote_ufrag);
		json_arr_open(&j, "remote_candidates");
		for (i = 0; i < ice_agent_remote_count(s->ice); i++)
			status_cand(&j, ice_agent_remote_get(s->ice, i));
		json_arr_close(&j);
		json_arr_open(&j, "pairs");
		for (i = 0; cl && i < cl->n; i++) {
			const struct cl_pair *p = &cl->pairs[i];

			json_obj_open(&j, NULL);
			json_u64(&j, "id", p->id);
			json_str(&j, "local", addr_s(&p->local.addr, a, sizeof(a)));
			json_str(&j, "remote", addr_s(&p->remote.addr, a, sizeof(a)));
			json_str(&j, "state", cl_state_name(p->state));
			json_bool(&j, "nominated", p->nominated);
			json_u64(&j, "priority", p->priority);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		if (ice_agent_selected(s->ice, &sel, NULL)) {
			json_obj_open(&j, "selected");
			json_str(&j, "local", addr_s(&sel.local.addr, a, sizeof(a)));
			json_str(&j, "remote", addr_s(&sel.remote.addr, a, sizeof(a)));
			json_obj_close(&j);
		}
		json_u64(&j, "checks_sent", ice_agent_stats(s->ice)->checks_sent);
		json_bool(&j, "kernel_pair", s->kernel_pair);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
}

static void ctl_status(void *arg, FILE *f)
{
	status_write(arg, f);
}

static void ctl_attached(void *arg, bool json)
{
	emit(arg, false, "monitor", "attached (%s)", json ? "json" : "text");
}

/* ---- the loop ------------------------------------------------------------- */

static void on_datagram(struct daemon *d, const uint8_t *buf, size_t len,
			const struct ice_addr *from, const struct ice_addr *base)
{
	enum mice_reason reason;
	enum mice_class cls;
	uint8_t out[512];
	size_t olen;

	cls = mice_classify(buf, (u32)len, (u32)len, &reason);
	if (cls == MICE_CLASS_MIP) {
		if (d->cfg.role == MICE_ROLE_HA)
			ha_on_mh(d, buf, len, from);
		else
			mn_on_mh(d, buf, len, from);
		return;
	}
	if (d->cfg.role == MICE_ROLE_HA &&
	    ha_relay_from_mn(d, buf, len, from, stun_looks_like(buf, len)))
		return;
	if (cls != MICE_CLASS_STUN && !(len >= 20 && (buf[0] & 0xc0) == 0))
		return;	/* data: the kernel's, or dropped without it */
	if (d->cfg.role == MICE_ROLE_HA) {
		struct stun_addr sa = { .family = from->family, .port = from->port };

		memcpy(sa.ip, from->ip, sizeof(sa.ip));
		olen = stun_server_handle(&d->stun, now_ms(d), buf, len, &sa,
					  out, sizeof(out));
		if (olen)
			send_to(d, from, NULL, out, olen);
		return;
	}
	if (d->srflx.state == SRFLX_RUNNING &&
	    srflx_input(&d->srflx, now_ms(d), buf, len, from) != SRFLX_IN_IGNORED) {
		mn_gathering_done(d);
		return;
	}
	if (d->relay.family && ice_addr_eq(from, &d->cfg.home_agent) &&
	    relay_frame_is(buf, len)) {
		const char *why = "no DATA";
		struct relay_frame f;
		char a[64];

		if (relay_frame_parse(buf, len, &f, &why) ||
		    f.method != RELAY_METHOD_DATA || !f.payload_len) {
			logev(d, "drop", "relay frame from %s: %s",
			      addr_s(from, a, sizeof(a)),
			      f.method == RELAY_METHOD_SEND ? "a Send indication" : why);
			return;
		}
		/* a check on our relayed candidate, from f.peer */
		if (d->have_sess && d->sess.ice) {
			ice_agent_on_datagram(d->sess.ice, &d->relay, &f.peer,
					      f.payload, f.payload_len, now_ms(d));
			ice_send(d, &d->sess);
		}
		return;
	}
	if (d->have_sess && d->sess.ice) {
		ice_agent_on_datagram(d->sess.ice, base, from, buf, len, now_ms(d));
		ice_send(d, &d->sess);
	}
}

/*
 * One datagram, if one waits: false when none did. Under a flood, the
 * loop reads DAEMON_READ_BATCH of them per poll() (read_socket), so the
 * time it spends on its other descriptors and timers is not multiplied
 * by the attacker's rate.
 */
#define DAEMON_READ_BATCH	32
static bool read_one(struct daemon *d)
{
	static uint8_t buf[65536];
	struct sockaddr_storage ss;
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
		.msg_iovlen = 1, .msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	struct ice_addr from, base;
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(d->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return false;
	if (ice_addr_from_sockaddr(&from, (struct sockaddr *)&ss))
		return true;
	base = d->bound;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(c);

			memcpy(base.ip, &pi->ipi_addr, 4);
		}
	on_datagram(d, buf, (size_t)n, &from, &base);
	return true;
}

static void read_socket(struct daemon *d)
{
	unsigned int i;

	for (i = 0; i < DAEMON_READ_BATCH && read_one(d); i++)
		;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void mn_timers(struct daemon *d)
{
	uint64_t now = now_ms(d);
	struct session *s = &d->sess;

	if (d->regather && d->regather_check) {
		char why[200];

		d->regather_check = false;
		if (mn_path_ready(d, why, sizeof(why))) {
			logev(d, "address", "ready: %s", why);
			d->regather_ready = true;
			d->regather_at = now;
		} else {
			emit(d, d->opts->verbose, "address", "waiting: %s", why);
		}
	}
	if (d->regather && now >= d->regather_at) {
		if (!d->regather_ready)
			logev(d, "address", "no route to the home agent from a "
			      "usable address %u ms after the last address event: "
			      "gathering anyway",
			      d->cfg.regather_fallback_ms);
		d->regather = false;
		d->regather_check = false;
		mn_gather(d, d->regather_ready ? &d->ready_set : NULL);
		d->regather_ready = false;
		/* the HA must learn the new address before it relays to us */
		d->registered = false;
		mn_register(d);
		mn_offer_early(d);
	}
	if (d->cfg.has_home_agent && now >= d->next_reg_ms)
		mn_register(d);
	if (d->srflx.state == SRFLX_RUNNING && d->srflx_resend_at &&
	    now >= d->srflx_resend_at) {
		/* the same request again (RFC 8489 s.6.2.1 allows it) */
		d->srflx_resend_at = 0;
		if (send_to(d, &d->cfg.stun_server, &d->local.c[0].base,
			    d->srflx.req, d->srflx.req_len))
			d->srflx_resend_at = now + DAEMON_SEND_RETRY_MS;
	}
	if (d->srflx.state == SRFLX_RUNNING && now >= srflx_next_deadline(&d->srflx)) {
		if (srflx_on_timer(&d->srflx, now) == STUN_TXN_SEND)
			send_to(d, &d->cfg.stun_server, &d->local.c[0].base,
				d->srflx.req, d->srflx.req_len);
		if (d->srflx.state != SRFLX_RUNNING)
			mn_gathering_done(d);
	}
	if (d->have_sess && s->initiator && (d->gathered || s->offered_early) &&
	    mn_offer_ready(d) &&
	    !s->answered && s->ice && now >= s->next_offer_ms &&
	    s->offers_sent < DAEMON_OFFER_TRIES) {
		mn_send_offer(d, s);
	}
	if (d->have_sess && s->ice)
		ice_send(d, s);
	mn_standby_timer(d);
}

static uint64_t next_wakeup(struct daemon *d)
{
	uint64_t t = now_ms(d) + 1000;

	if (d->cfg.role != MICE_ROLE_MN)
		return t;
	if (d->regather)
		t = min_u64(t, d->regather_at);
	if (d->regather && d->regather_check)
		t = now_ms(d);
	t = min_u64(t, d->next_reg_ms);
	if (d->srflx.state == SRFLX_RUNNING)
		t = min_u64(t, srflx_next_deadline(&d->srflx));
	if (d->srflx.state == SRFLX_RUNNING && d->srflx_resend_at)
		t = min_u64(t, d->srflx_resend_at);
	if (d->have_sess && d->sess.initiator && !d->sess.answered)
		t = min_u64(t, d->sess.next_offer_ms);
	if (d->have_sess && d->sess.ice)
		t = min_u64(t, ice_agent_next_timeout(d->sess.ice));
	return t;
}

static int daemon_socket(struct daemon *d)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	if (!d->cfg.n_listen) {
		ice_addr_set(&d->bound, AF_INET, "\0\0\0\0", MICE_CFG_HA_PORT);
	} else {
		d->bound = d->cfg.listen[0];
	}
	if (ice_addr_to_sockaddr(&d->bound, &ss, &sl))
		return -1;
	d->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->fd < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(d->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	else
		setsockopt(d->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	if (bind(d->fd, (struct sockaddr *)&ss, sl)) {
		cli_err("daemon: binding port %u: %s", d->bound.port, strerror(errno));
		close(d->fd);
		return -1;
	}
	return 0;
}

/*
 * Once the sockets are bound and attached, the netlink sockets and the
 * control socket open and every key read, the daemon needs no more of
 * root (issue 14): a Home Agent keeps no capability (its relay sockets
 * bind ephemeral ports, which needs none), a mobile node keeps only
 * CAP_NET_ADMIN, for the module's pair and peer commands over generic
 * netlink. The bounding set is cleared and no_new_privs set, so that
 * nothing executed later can gain one back. Failing half-way is fatal:
 * the daemon never goes on with privileges it was told to drop.
 */
static int daemon_drop_privileges(struct daemon *d, const char *config)
{
	bool mn = d->cfg.role == MICE_ROLE_MN;
	const struct passwd *pw;
	int rc;

	if (!d->cfg.user[0]) {
		if (geteuid() == 0)
			logev(d, "warning", "running as root with every "
			      "capability: set 'user NAME' in [agent] to drop "
			      "them once started (docs/config.md)");
		return 0;
	}
	errno = 0;
	pw = getpwnam(d->cfg.user);
	if (!pw) {
		cli_err("%s: user %s: %s", config, d->cfg.user,
			errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (pw->pw_uid == 0) {
		logev(d, "privileges", "user %s is root: keeping every "
		      "capability", d->cfg.user);
		return 0;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid && getuid() == pw->pw_uid)
			return 0;	/* started as that user */
		cli_err("%s: user %s: only root can switch to another user "
			"(mice runs as uid %u)", config, d->cfg.user,
			(unsigned int)geteuid());
		return -1;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (mn && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			       CAP_NET_ADMIN)) {
		cli_err("cannot keep CAP_NET_ADMIN (libcap-ng)");
		return -1;
	}
	rc = capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
			     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc) {
		cli_err("cannot drop privileges to user %s (uid %u): "
			"capng_change_id error %d: %s", d->cfg.user,
			(unsigned int)pw->pw_uid, rc, strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    getgid() != pw->pw_gid || !setuid(0)) {
		cli_err("dropping privileges to user %s did not hold",
			d->cfg.user);
		return -1;
	}
	logev(d, "privileges", "now user %s (uid %u, gid %u) with %s",
	      d->cfg.user, (unsigned int)pw->pw_uid, (unsigned int)pw->pw_gid,
	      mn ? "CAP_NET_ADMIN only" : "no capability");
	return 0;
}

/* Every key the daemon holds, cleansed: at exit and on every error. */
static void daemon_forget_keys(struct daemon *d)
{
	OPENSSL_cleanse(d->node_key, sizeof(d->node_key));
	OPENSSL_cleanse(d->node_key_len, sizeof(d->node_key_len));
	OPENSSL_cleanse(d->ha_key, sizeof(d->ha_key));
	d->ha_key_len = 0;
	OPENSSL_cleanse(d->peer_ha_key, sizeof(d->peer_ha_key));
	OPENSSL_cleanse(d->peer_ha_key_len, sizeof(d->peer_ha_key_len));
	daemon_forget_psks();
}

int cmd_daemon(int argc, char **argv, const struct cli_opts *opts)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "connect", required_argument, NULL, 'C' },
		{ "dev", required_argument, NULL, 'd' },
		{ "peer-prefix", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "control", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon d;
	struct timespec wall;
	char ctl_default[108];
	const char *ctl = NULL;
	char err[MICE_CFG_ERR_MAX], a[64];
	const char *config = NULL;
	unsigned long timeout_s = 0;
	struct sigaction sa;
	uint64_t deadline = 0;
	int c;

	memset(&d, 0, sizeof(d));
	d.opts = opts;
	d.fd = -1;
	ctl_init(&d.ctl);
	optind = 0;
	while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'n': d.name = optarg; break;
		case 'C': d.connect = optarg; break;
		case 'd': d.dev = optarg; break;
		case 'p':
			if (d.n_peer_prefix >= MICE_MAX_PREFIXES_PER_PEER ||
			    mice_parse_prefix(optarg, &d.peer_prefix[d.n_peer_prefix])) {
				cli_err("invalid value '%s' for --peer-prefix: expected "
					"ADDR/LEN (at most %d)", optarg,
					MICE_MAX_PREFIXES_PER_PEER);
				return CLI_USAGE;
			}
			d.n_peer_prefix++;
			break;
		case 't':
			if (cli_parse_uint("--timeout", optarg, 86400 * 365, &timeout_s))
				return CLI_USAGE;
			break;
		case 'k':
			ctl = optarg;
			break;
		default:
			cli_err("usage: mice daemon -c FILE [--name NAME] [--connect PEER] "
				"[--dev IF --peer-prefix P/L...] [--control PATH] [--timeout S]");
			return CLI_USAGE;
		}
	}
	if (!config) {
		cli_err("daemon needs a config file: mice daemon -c FILE "
			"(see docs/config.md)");
		return CLI_USAGE;
	}
	if (mice_config_load(&d.cfg, config, err, sizeof(err))) {
		cli_err("%s", err);
		return CLI_USAGE;
	}
	if (d.cfg.role == MICE_ROLE_MN) {
		if (!d.name || !*d.name || strlen(d.name) > SIG_NAME_MAX) {
			cli_err("a mobile node needs --name NAME (its identifier at the "
				"home agent, 1-%d characters)", SIG_NAME_MAX);
			return CLI_USAGE;
		}
		if (!d.cfg.has_home_agent) {
			cli_err("%s: a mobile node needs 'home-agent ADDR:PORT'", config);
			return CLI_USAGE;
		}
		if (d.connect && !peer_by_name(&d, d.connect)) {
			cli_err("--connect %s: no [peer %s] section in %s", d.connect,
				d.connect, config);
			return CLI_USAGE;
		}
		if ((d.cfg.home_agent_key[0] &&
		     load_key_file(config, "home-agent-key", d.cfg.home_agent_key,
				   d.ha_key, &d.ha_key_len)) ||
		    daemon_load_psks(&d, config)) {
			daemon_forget_keys(&d);
			return CLI_USAGE;
		}
	}
	for (c = 0; c < (int)d.cfg.n_nodes; c++)
		if (load_key_file(config, "[node] key-file", d.cfg.nodes[c].key_file,
				  d.node_key[c], &d.node_key_len[c])) {
			daemon_forget_keys(&d);
			return CLI_USAGE;
		}
	for (c = 0; c < (int)d.cfg.n_peers; c++)
		if (d.cfg.peers[c].ha_key_file[0] &&
		    load_key_file(config, "[peer] ha-key-file",
				  d.cfg.peers[c].ha_key_file, d.peer_ha_key[c],
				  &d.peer_ha_key_len[c])) {
			daemon_forget_keys(&d);
			return CLI_USAGE;
		}
	mice_clock_monotonic(&d.clk);
	d.t0 = now_ms(&d);
	/* so that t= can be set beside other tools' wall-clock stamps */
	clock_gettime(CLOCK_REALTIME, &wall);
	if (daemon_socket(&d)) {
		daemon_forget_keys(&d);
		return CLI_FAIL;
	}
	logev(&d, "start", "role %s, listening on %s; t=0 is %lld.%03ld on the "
	      "wall clock", d.cfg.role == MICE_ROLE_HA ? "ha" : "mn",
	      addr_s(&d.bound, a, sizeof(a)), (long long)wall.tv_sec,
	      wall.tv_nsec / 1000000);
	if (d.cfg.role == MICE_ROLE_MN)
		kernel_attach(&d);
	else	/* relayed media is forwarded here, in userspace */
		logev(&d, "kernel", "not used by the home agent");
	if (d.cfg.role == MICE_ROLE_HA && d.cfg.registration == MICE_REG_OPEN)
		logev(&d, "warning", "registration open: any host may register any "
		      "name without a [node] section (docs/config.md)");
	if (d.cfg.role == MICE_ROLE_MN && !d.ha_key_len)
		logev(&d, "warning", "no home-agent-key: registrations are not "
		      "signed, and only an open home agent takes them");
	snprintf(ctl_default, sizeof(ctl_default), "/run/mice/%s.ctl",
		 d.cfg.role == MICE_ROLE_HA ? "ha" : d.name);
	mkdir("/run/mice", 0755);
	if (ctl_open(&d.ctl, ctl ? ctl : ctl_default, ctl_status, ctl_attached, &d))
		logev(&d, "error", "control socket %s: %s", ctl ? ctl : ctl_default,
		      strerror(errno));
	if (daemon_drop_privileges(&d, config)) {
		daemon_forget_keys(&d);
		return CLI_FAIL;
	}

	if (d.cfg.role == MICE_ROLE_HA) {
		struct stun_server_cfg sc = { .software = "mice" };

		stun_server_init(&d.stun, &sc);
	} else {
		gather_opts_default(&d.gopts, d.bound.port);
		d.gopts.no_ipv6 = d.bound.family == AF_INET;
		d.gopts.no_ipv4 = d.bound.family == AF_INET6;
		if (!gather_watch_open(&d.watch, &d.gopts, on_addr_event, &d)) {
			d.watching = true;
			if (gather_watch_routes(&d.watch))
				logev(&d, "error", "no route events; re-gathering "
				      "%u ms after an address change",
				      d.cfg.regather_fallback_ms);
		}
		if (d.connect) {
			if (session_open(&d, peer_by_name(&d, d.connect))) {
				daemon_forget_keys(&d);
				return CLI_FAIL;
			}
			d.sess.initiator = true;
		}
		mn_gather(&d, NULL);
		mn_register(&d);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = daemon_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a log reader that goes away must not take the daemon with it:
	 * the write then fails with EPIPE and logsink stops writing */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (timeout_s)
		deadline = now_ms(&d) + timeout_s * 1000;

	while (!daemon_stop) {
		/* the sockets, the control socket's, and the log's */
		struct pollfd pfd[2 + DAEMON_MAX_REGS + CTL_POLLFDS + 1] = {
			{ .fd = d.fd, .events = POLLIN },
			{ .fd = d.watching ? gather_watch_fd(&d.watch) : -1,
			  .events = POLLIN },
		};
		uint64_t now = now_ms(&d), wake = next_wakeup(&d);
		unsigned int i, nctl;

		if (deadline && now >= deadline)
			break;
		if (deadline)
			wake = min_u64(wake, deadline);
		wake = min_u64(wake, ctl_next_deadline(&d.ctl));
		for (i = 0; i < DAEMON_MAX_REGS; i++) {
			pfd[2 + i].fd = d.regs[i].relay.family ? d.regs[i].relay_fd : -1;
			pfd[2 + i].events = POLLIN;
		}
		nctl = ctl_pollfds(&d.ctl, &pfd[2 + DAEMON_MAX_REGS]);
		pfd[2 + DAEMON_MAX_REGS + nctl] = (struct pollfd){
			.fd = logsink_pending(&daemon_log) ? daemon_log.fd : -1,
			.events = POLLOUT,
		};
		if (poll(pfd, 2 + DAEMON_MAX_REGS + nctl + 1,
			 wake > now ? (int)min_u64(wake - now, 1000) : 0) > 0) {
			if (pfd[0].revents & POLLIN)
				read_socket(&d);
			if (pfd[1].revents & POLLIN)
				gather_watch_process(&d.watch);
			for (i = 0; i < DAEMON_MAX_REGS; i++)
				if (pfd[2 + i].revents & POLLIN)
					ha_relay_read(&d, &d.regs[i]);
			ctl_on_poll(&d.ctl, &pfd[2 + DAEMON_MAX_REGS], nctl,
				    now_ms(&d));
			if (pfd[2 + DAEMON_MAX_REGS + nctl].revents)
				logsink_flush(&daemon_log);
		}
		log_timers(&d);
		ctl_timers(&d.ctl, now_ms(&d));
		if (d.cfg.role == MICE_ROLE_MN)
			mn_timers(&d);
		if (d.have_sess)
			session_reap(&d.sess);
	}
	logev(&d, "stop", "%s", daemon_stop ? "signal" : "timeout");
	if (d.have_sess)
		session_close(&d.sess);
	daemon_forget_keys(&d);
	for (c = 0; c < DAEMON_MAX_REGS; c++)
		if (d.regs[c].relay.family)
			close(d.regs[c].relay_fd);
	if (d.watching)
		gather_watch_close(&d.watch);
	ctl_close(&d.ctl);
	close(d.fd);
	return CLI_OK;
}

/* mice status [--control PATH] [NAME]: a running daemon's state. */
int cmd_status(int argc, char **argv, const struct cli_opts *opts)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[65536];
	size_t n = 0;
	ssize_t r;
	int fd;

	if (argc > 3 || (argc == 3 && strcmp(argv[1], "--control"))) {
		cli_err("usage: mice status [NAME | --control PATH]");
		return CLI_USAGE;
	}
	if (argc == 3)
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[2]);
	else
		snprintf(sun.sun_path, sizeof(sun.sun_path), "/run/mice/%s.ctl",
			 argc == 2 ? argv[1] : "ha");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		cli_err("no daemon answers on %s: %s (is `mice daemon` running, "
			"with this name?)", sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CLI_FAIL;
	}
	if (write(fd, "status\n", 7) != 7) {
		cli_err("cannot ask %s: %s", sun.sun_path, strerror(errno));
		close(fd);
		return CLI_FAIL;
	}
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	(void)opts;	/* the daemon speaks JSON; text rendering is jq's job */
	fputs(buf, stdout);
	return CLI_OK;
}
