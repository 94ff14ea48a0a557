// SPDX-License-Identifier: GPL-2.0
/* The `mice daemon` configuration file; see config.h and docs/config.md. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

enum cfg_section {
	SEC_NONE = 0,
	SEC_AGENT,
	SEC_PEER,
	SEC_LIMITS,
	SEC_TIMERS,
	SEC_NODE,
};

enum cfg_kind {
	K_ROLE,
	K_LISTEN,
	K_STUN_SERVER,
	K_HOME_AGENT,
	K_FROZEN,
	K_EARLY_CHECKS,
	K_NOMINATION,
	K_KERNEL,
	K_UINT,
	K_CREDENTIALS,
	K_HA_KEY,
	K_REGISTRATION,
	K_KEY_FILE,
	K_HA_KEY_FILE,
	K_USER,
};

struct cfg_key {
	enum cfg_section sec;
	const char *name;
	enum cfg_kind kind;
	size_t off;		/* K_UINT: offset of the unsigned int */
	unsigned int min, max;
	const char *unit;	/* K_UINT: shown in "expected" */
};

#define U(sec, name, field, lo, hi, unit) \
	{ sec, name, K_UINT, offsetof(struct mice_config, field), lo, hi, unit }

static const struct cfg_key cfg_keys[] = {
	{ SEC_AGENT, "role", K_ROLE, 0, 0, 0, NULL },
	{ SEC_AGENT, "listen", K_LISTEN, 0, 0, 0, NULL },
	{ SEC_AGENT, "stun-server", K_STUN_SERVER, 0, 0, 0, NULL },
	{ SEC_AGENT, "home-agent", K_HOME_AGENT, 0, 0, 0, NULL },
	{ SEC_AGENT, "frozen", K_FROZEN, 0, 0, 0, NULL },
	{ SEC_AGENT, "early-checks", K_EARLY_CHECKS, 0, 0, 0, NULL },
	{ SEC_AGENT, "nomination", K_NOMINATION, 0, 0, 0, NULL },
	{ SEC_AGENT, "kernel", K_KERNEL, 0, 0, 0, NULL },
	{ SEC_AGENT, "home-agent-key", K_HA_KEY, 0, 0, 0, NULL },
	{ SEC_AGENT, "registration", K_REGISTRATION, 0, 0, 0, NULL },
	{ SEC_AGENT, "user", K_USER, 0, 0, 0, NULL },
	U(SEC_LIMITS, "max-checks", max_checks, MICE_CFG_MAX_CHECKS_MIN,
	  MICE_CFG_MAX_CHECKS_MAX, NULL),
	U(SEC_LIMITS, "max-remote-candidates", max_remote_cands, 1,
	  MICE_CFG_MAX_CANDS_MAX, NULL),
	U(SEC_LIMITS, "max-local-candidates", max_local_cands, 1,
	  MICE_CFG_MAX_CANDS_MAX, NULL),
	U(SEC_TIMERS, "ta-ms", ta_ms, MICE_CFG_TA_MIN, MICE_CFG_TA_MAX, "ms"),
	U(SEC_TIMERS, "rto-ms", rto_ms, MICE_CFG_RTO_MIN, MICE_CFG_RTO_MAX,
	  "ms"),
	U(SEC_TIMERS, "consent-interval", consent_interval_s,
	  MICE_CFG_CONSENT_IVL_MIN, MICE_CFG_CONSENT_IVL_MAX, "s"),
	U(SEC_TIMERS, "consent-timeout", consent_timeout_s,
	  MICE_CFG_CONSENT_TO_MIN, MICE_CFG_CONSENT_TO_MAX, "s"),
	U(SEC_TIMERS, "keepalive", keepalive_s, MICE_CFG_KEEPALIVE_MIN,
	  MICE_CFG_KEEPALIVE_MAX, "s"),
	U(SEC_TIMERS, "nomination-wait-ms", nom_wait_ms, MICE_CFG_NOM_WAIT_MIN,
	  MICE_CFG_NOM_WAIT_MAX, "ms"),
	U(SEC_TIMERS, "restart-nomination-wait-ms", restart_nom_wait_ms,
	  MICE_CFG_NOM_WAIT_MIN, MICE_CFG_NOM_WAIT_MAX, "ms"),
	U(SEC_TIMERS, "silent-slack-ms", silent_slack_ms, MICE_CFG_SLACK_MIN,
	  MICE_CFG_SLACK_MAX, "ms"),
	U(SEC_TIMERS, "restart-silent-slack-ms", restart_silent_slack_ms,
	  MICE_CFG_SLACK_MIN, MICE_CFG_SLACK_MAX, "ms"),
	U(SEC_TIMERS, "regather-fallback-ms", regather_fallback_ms,
	  MICE_CFG_REGATHER_FB_MIN, MICE_CFG_REGATHER_FB_MAX, "ms"),
	{ SEC_PEER, "home-agent", K_HOME_AGENT, 0, 0, 0, NULL },
	{ SEC_PEER, "credentials", K_CREDENTIALS, 0, 0, 0, NULL },
	{ SEC_PEER, "ha-key-file", K_HA_KEY_FILE, 0, 0, 0, NULL },
	{ SEC_NODE, "key-file", K_KEY_FILE, 0, 0, 0, NULL },
};
#undef U

#define N_KEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

struct cfg_parser {
	struct mice_config *c;
	const char *fname;
	unsigned int line;
	char *err;
	size_t errlen;
	enum cfg_section sec;
	struct mice_cfg_peer *peer;	/* SEC_PEER */
	struct mice_cfg_node *node;	/* SEC_NODE */
	unsigned int key_line[N_KEYS];	/* where each key of the current
					 * section was set, 0 if not yet */
	unsigned int sec_line[SEC_NODE + 1];
	/* role-dependent [agent] keys, checked once the role is known */
	unsigned int ha_key_line, registration_line;
};

static const char *const sec_names[] = {
	[SEC_NONE] = "", [SEC_AGENT] = "agent", [SEC_PEER] = "peer",
	[SEC_LIMITS] = "limits", [SEC_TIMERS] = "timers", [SEC_NODE] = "node",
};

static int perr(struct cfg_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct cfg_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->fname, p->line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->fname);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A printable, bounded copy of a value for error messages. */
static const char *shown(const char *v, char *buf, size_t len)
{
	size_t i = 0, o = 0;

	for (; v[i] && o + 5 < len; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\'') {
			buf[o++] = (char)ch;
		} else {
			snprintf(buf + o, len - o, "\\x%02x", ch);
			o += 4;
		}
	}
	if (v[i] && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}

void mice_config_defaults(struct mice_config *c)
{
	memset(c, 0, sizeof(*c));
	c->role = MICE_ROLE_NONE;
	c->frozen = false;			/* seed 004 s.1.4 */
	c->early_checks = true;
	c->nomination = MICE_NOM_REGULAR;
	c->kernel = MICE_KERNEL_AUTO;
	c->max_checks = MICE_CFG_MAX_CHECKS_DEF;
	c->max_remote_cands = MICE_CFG_MAX_CANDS_DEF;
	c->max_local_cands = MICE_CFG_MAX_CANDS_DEF;
	c->ta_ms = MICE_CFG_TA_DEF;
	c->rto_ms = MICE_CFG_RTO_DEF;
	c->consent_interval_s = MICE_CFG_CONSENT_IVL_DEF;
	c->consent_timeout_s = MICE_CFG_CONSENT_TO_DEF;
	c->keepalive_s = MICE_CFG_KEEPALIVE_DEF;
	c->nom_wait_ms = MICE_CFG_NOM_WAIT_DEF;
	c->restart_nom_wait_ms = MICE_CFG_RESTART_NOM_WAIT_DEF;
	c->silent_slack_ms = MICE_CFG_SLACK_DEF;
	c->restart_silent_slack_ms = MICE_CFG_RESTART_SLACK_DEF;
	c->regather_fallback_ms = MICE_CFG_REGATHER_FB_DEF;
}

int mice_parse_hostport(const char *s, uint16_t defport, struct ice_addr *out,
			const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL;
	uint8_t ip[16];
	size_t hl;
	int fam;

	memset(out, 0, sizeof(*out));
	if (!s || !*s) {
		*why = "empty address";
		return -1;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close) {
			*why = "'[' without a closing ']'";
			return -1;
		}
		hl = (size_t)(close - s - 1);
		if (hl == 0 || hl >= sizeof(host)) {
			*why = "not an IPv6 address inside [ ]";
			return -1;
		}
		memcpy(host, s + 1, hl);
		host[hl] = 0;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1]) {
			*why = "junk after ']'";
			return -1;
		}
		if (inet_pton(AF_INET6, host, ip) != 1) {
			*why = "not an IPv6 address inside [ ]";
			return -1;
		}
		fam = AF_INET6;
	} else {
		const char *colon = strchr(s, ':');

		if (colon && strchr(colon + 1, ':')) {
			/* A bare IPv6 literal: no port possible. */
			if (strlen(s) >= sizeof(host) ||
			    inet_pton(AF_INET6, s, ip) != 1) {
				*why = "not an IPv4 or IPv6 address";
				return -1;
			}
			fam = AF_INET6;
		} else {
			hl = colon ? (size_t)(colon - s) : strlen(s);
			if (hl == 0 || hl >= sizeof(host)) {
				*why = "not an IPv4 or IPv6 address";
				return -1;
			}
			memcpy(host, s, hl);
			host[hl] = 0;
			if (inet_pton(AF_INET, host, ip) != 1) {
				*why = "not an IPv4 address (write IPv6 as "
				       "[ADDR]:PORT)";
				return -1;
			}
			fam = AF_INET;
			if (colon)
				port = colon + 1;
		}
	}
	if (port) {
		unsigned long v = 0;
		const char *q = port;

		if (!*q) {
			*why = "empty port after ':'";
			return -1;
		}
		for (; *q; q++) {
			if (*q < '0' || *q > '9' || v > 65535) {
				*why = "port is not a number 1-65535";
				return -1;
			}
			v = v * 10 + (unsigned long)(*q - '0');
		}
		if (v < 1 || v > 65535) {
			*why = "port is not a number 1-65535";
			return -1;
		}
		defport = (uint16_t)v;
	} else if (!defport) {
		*why = "a port is required (ADDR:PORT or [V6ADDR]:PORT)";
		return -1;
	}
	ice_addr_set(out, fam, ip, defport);
	return 0;
}

/* Parses an unsigned decimal that fits @max; -1 if not. */
static int parse_uint(const char *v, unsigned int max, unsigned int *out)
{
	unsigned long long n = 0;

	if (!*v)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		n = n * 10 + (unsigned long long)(*v - '0');
		if (n > max)
			return -1;
	}
	*out = (unsigned int)n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
		*out = false;
		return 0;
	}
	return -1;
}

/* A remote endpoint: unicast, not unspecified, not multicast. */
static int parse_endpoint(struct cfg_parser *p, const char *key,
			  const char *v, uint16_t defport, struct ice_addr *a)
{
	const char *why = NULL;
	char sb[80];

	if (mice_parse_hostport(v, defport, a, &why))
		return perr(p, "key '%s': expected ADDR[:PORT] or "
			    "[V6ADDR][:PORT] (default port %u), got '%s': %s",
			    key, defport, shown(v, sb, sizeof(sb)), why);
	if (ice_addr_is_unspecified(a) || ice_addr_is_multicast(a))
		return perr(p, "key '%s': expected a unicast address, got '%s'",
			    key, shown(v, sb, sizeof(sb)));
	return 0;
}

static int parse_listen(struct cfg_parser *p, char *v)
{
	struct mice_config *c = p->c;
	char *save = NULL, *tok;
	char sb[80];

	for (tok = strtok_r(v, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		struct ice_addr a;
		const char *why = NULL;
		unsigned int i;

		if (c->n_listen == MICE_CFG_MAX_LISTEN)
			return perr(p, "key 'listen': expected at most %d "
				    "addresses", MICE_CFG_MAX_LISTEN);
		if (mice_parse_hostport(tok, 0, &a, &why))
			return perr(p, "key 'listen': expected ADDR:PORT or "
				    "[V6ADDR]:PORT, got '%s': %s",
				    shown(tok, sb, sizeof(sb)), why);
		if (ice_addr_is_multicast(&a))
			return perr(p, "key 'listen': expected a unicast or "
				    "wildcard address, got '%s'",
				    shown(tok, sb, sizeof(sb)));
		for (i = 0; i < c->n_listen; i++)
			if (ice_addr_eq(&c->listen[i], &a))
				return perr(p, "key 'listen': '%s' is listed "
					    "twice", shown(tok, sb, sizeof(sb)));
		c->listen[c->n_listen++] = a;
	}
	return 0;
}

/*
 * A key file's path for @key: absolute (the daemon's working directory is
 * not the config file's), at most MICE_CFG_PATH_MAX bytes; stored, not
 * opened. @what says where in the value it stands, for the message.
 */
static int parse_abs_path(struct cfg_parser *p, const char *key,
			  const char *what, const char *path, char *out)
{
	char sb[80];

	if (path[0] != '/')
		return perr(p, "key '%s': expected an absolute path%s, got '%s'",
			    key, what, shown(path, sb, sizeof(sb)));
	if (strlen(path) > MICE_CFG_PATH_MAX)
		return perr(p, "key '%s': expected a path of at most %d bytes",
			    key, MICE_CFG_PATH_MAX);
	strcpy(out, path);
	return 0;
}

static int parse_credentials(struct cfg_parser *p, char *v)
{
	struct mice_cfg_peer *pe = p->peer;
	char sb[80];

	if (!strcmp(v, "mikey")) {
		pe->cred = MICE_CRED_MIKEY;
		return 0;
	}
	if (!strncmp(v, "psk-file", 8) && (v[8] == ' ' || v[8] == '\t')) {
		const char *path = v + 9;

		while (*path == ' ' || *path == '\t')
			path++;
		if (parse_abs_path(p, "credentials", " after psk-file", path,
				   pe->psk_file))
			return -1;
		pe->cred = MICE_CRED_PSK_FILE;
		return 0;
	}
	return perr(p, "key 'credentials': expected 'psk-file /PATH' or "
		    "'mikey', got '%s'", shown(v, sb, sizeof(sb)));
}

/* A POSIX-portable user name, as useradd takes by default. */
static bool user_name_ok(const char *v)
{
	size_t i, l = strlen(v);

	if (l == 0 || l > MICE_CFG_USER_MAX ||
	    !((v[0] >= 'a' && v[0] <= 'z') || v[0] == '_'))
		return false;
	for (i = 1; i < l; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
		      v[i] == '_' || v[i] == '.' || v[i] == '-'))
			return false;
	return true;
}

static int set_key(struct cfg_parser *p, const struct cfg_key *k, char *v)
{
	struct mice_config *c = p->c;
	char sb[80];

	switch (k->kind) {
	case K_ROLE:
		if (!strcmp(v, "mn"))
			c->role = MICE_ROLE_MN;
		else if (!strcmp(v, "ha"))
			c->role = MICE_ROLE_HA;
		else
			return perr(p, "key 'role': expected 'mn' or 'ha', "
				    "got '%s'", shown(v, sb, sizeof(sb)));
		return 0;
	case K_LISTEN:
		return parse_listen(p, v);
	case K_STUN_SERVER:
		c->has_stun_server = true;
		return parse_endpoint(p, k->name, v, MICE_CFG_STUN_PORT,
				      &c->stun_server);
	case K_HOME_AGENT:
		if (p->sec == SEC_PEER) {
			p->peer->has_home_agent = true;
			return parse_endpoint(p, k->name, v, MICE_CFG_HA_PORT,
					      &p->peer->home_agent);
		}
		c->has_home_agent = true;
		return parse_endpoint(p, k->name, v, MICE_CFG_HA_PORT,
				      &c->home_agent);
	case K_FROZEN:
		if (parse_bool(v, &c->frozen))
			return perr(p, "key 'frozen': expected 'on' or 'off', "
				    "got '%s'", shown(v, sb, sizeof(sb)));
		return 0;
	case K_EARLY_CHECKS:
		if (parse_bool(v, &c->early_checks))
			return perr(p, "key 'early-checks': expected 'on' or "
				    "'off', got '%s'", shown(v, sb, sizeof(sb)));
		return 0;
	case K_NOMINATION:
		if (!strcmp(v, "regular"))
			c->nomination = MICE_NOM_REGULAR;
		else if (!strcmp(v, "aggressive"))
			c->nomination = MICE_NOM_AGGRESSIVE;
		else
			return perr(p, "key 'nomination': expected 'regular' "
				    "or 'aggressive', got '%s'",
				    shown(v, sb, sizeof(sb)));
		return 0;
	case K_KERNEL:
		if (!strcmp(v, "auto"))
			c->kernel = MICE_KERNEL_AUTO;
		else if (!strcmp(v, "off"))
			c->kernel = MICE_KERNEL_OFF;
		else
			return perr(p, "key 'kernel': expected 'auto' or 'off', "
				    "got '%s'", shown(v, sb, sizeof(sb)));
		return 0;
	case K_UINT: {
		unsigned int n;

		if (parse_uint(v, UINT_MAX, &n) || n < k->min || n > k->max)
			return perr(p, "key '%s': expected an integer %u-%u%s%s%s, "
				    "got '%s'", k->name, k->min, k->max,
				    k->unit ? " (" : "", k->unit ? k->unit : "",
				    k->unit ? ")" : "",
				    shown(v, sb, sizeof(sb)));
		*(unsigned int *)((char *)c + k->off) = n;
		return 0;
	}
	case K_CREDENTIALS:
		return parse_credentials(p, v);
	case K_HA_KEY:
		p->ha_key_line = p->line;
		return parse_abs_path(p, k->name, "", v, c->home_agent_key);
	case K_REGISTRATION:
		p->registration_line = p->line;
		if (!strcmp(v, "authenticated"))
			c->registration = MICE_REG_AUTHENTICATED;
		else if (!strcmp(v, "open"))
			c->registration = MICE_REG_OPEN;
		else
			return perr(p, "key 'registration': expected "
				    "'authenticated' or 'open', got '%s'",
				    shown(v, sb, sizeof(sb)));
		return 0;
	case K_KEY_FILE:
		return parse_abs_path(p, k->name, "", v, p->node->key_file);
	case K_HA_KEY_FILE:
		return parse_abs_path(p, k->name, "", v, p->peer->ha_key_file);
	case K_USER:
		if (!user_name_ok(v))
			return perr(p, "key 'user': expected a user name "
				    "([a-z_][a-z0-9_.-]*, at most %d characters), "
				    "got '%s'", MICE_CFG_USER_MAX,
				    shown(v, sb, sizeof(sb)));
		snprintf(c->user, sizeof(c->user), "%s", v);
		return 0;
	}
	return perr(p, "internal error");
}

static bool peer_name_ok(const char *n)
{
	size_t i, l = strlen(n);

	if (l == 0 || l > MICE_CFG_NAME_MAX)
		return false;
	for (i = 0; i < l; i++) {
		char ch = n[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-'))
			return false;
	}
	return true;
}

/* Checks what a finished [peer] section must hold. */
static int finish_peer(struct cfg_parser *p)
{
	unsigned int line = p->line;
	int r = 0;

	/* A Home Agent's [peer NAME] names the HA that serves NAME: no keys. */
	if (p->sec == SEC_PEER && p->peer->cred == MICE_CRED_NONE &&
	    p->c->role != MICE_ROLE_HA) {
		p->line = p->peer->line;
		r = perr(p, "section [peer %s]: key 'credentials' is missing: "
			 "expected 'psk-file /PATH' or 'mikey'", p->peer->name);
	}
	if (p->sec == SEC_PEER && p->c->role == MICE_ROLE_HA &&
	    !p->peer->has_home_agent) {
		p->line = p->peer->line;
		r = perr(p, "section [peer %s]: key 'home-agent' is missing: a home "
			 "agent's peer section names the home agent serving that "
			 "node", p->peer->name);
	}
	/*
	 * Fail closed: a peer Home Agent is believed only under a key shared
	 * with it (docs/security.md, "Between Home Agents"), so one without
	 * a key could never be talked to.
	 */
	if (p->sec == SEC_PEER && p->c->role == MICE_ROLE_HA &&
	    p->peer->has_home_agent && !p->peer->ha_key_file[0]) {
		p->line = p->peer->line;
		r = perr(p, "section [peer %s]: key 'ha-key-file' is missing: "
			 "messages to and from the home agent serving %s are "
			 "authenticated under a key shared with it",
			 p->peer->name, p->peer->name);
	}
	if (p->sec == SEC_PEER && p->c->role != MICE_ROLE_HA &&
	    p->peer->ha_key_file[0]) {
		p->line = p->peer->line;
		r = perr(p, "section [peer %s]: key 'ha-key-file' is for role ha "
			 "(the key between two home agents)", p->peer->name);
	}
	if (p->sec == SEC_NODE && !p->node->key_file[0]) {
		p->line = p->node->line;
		r = perr(p, "section [node %s]: key 'key-file' is missing: expected "
			 "the absolute path of the MN-HA key", p->node->name);
	}
	p->line = line;
	return r;
}

/*
 * A new [@kind NAME] section: a valid NAME, not one given before (@dup:
 * the line of the earlier one, 0 if none), and room for one more of @n.
 */
static int check_named_section(struct cfg_parser *p, const char *kind,
			       const char *arg, unsigned int dup,
			       unsigned int n, unsigned int max,
			       const char *plural)
{
	char sb[80];

	if (!peer_name_ok(arg))
		return perr(p, "section [%s NAME]: expected a name of "
			    "1-%d characters A-Z a-z 0-9 . _ -, got '%s'",
			    kind, MICE_CFG_NAME_MAX, shown(arg, sb, sizeof(sb)));
	if (dup)
		return perr(p, "section [%s %s] is a duplicate of line %u",
			    kind, arg, dup);
	if (n == max)
		return perr(p, "section [%s %s]: expected at most %u %s", kind,
			    arg, max, plural);
	return 0;
}

static int parse_section(struct cfg_parser *p, char *s)
{
	struct mice_config *c = p->c;
	char *end = strchr(s, ']');
	char *name, *arg;
	char sb[80];
	int i;

	if (!end || end[1])
		return perr(p, "expected a section header '[NAME]', got '%s'",
			    shown(s, sb, sizeof(sb)));
	*end = 0;
	name = s + 1;
	while (*name == ' ' || *name == '\t')
		name++;
	arg = name + strcspn(name, " \t");
	if (*arg) {
		*arg++ = 0;
		while (*arg == ' ' || *arg == '\t')
			arg++;
		for (i = (int)strlen(arg) - 1; i >= 0 &&
		     (arg[i] == ' ' || arg[i] == '\t'); i--)
			arg[i] = 0;
	}
	if (finish_peer(p))
		return -1;
	memset(p->key_line, 0, sizeof(p->key_line));
	p->peer = NULL;
	p->node = NULL;

	if (!strcmp(name, "peer")) {
		unsigned int j, dup = 0;

		for (j = 0; j < c->n_peers && !dup; j++)
			if (!strcmp(c->peers[j].name, arg))
				dup = c->peers[j].line;
		if (check_named_section(p, "peer", arg, dup, c->n_peers,
					MICE_CFG_MAX_PEERS, "peers"))
			return -1;
		p->sec = SEC_PEER;
		p->peer = &c->peers[c->n_peers++];
		strcpy(p->peer->name, arg);
		p->peer->line = p->line;
		return 0;
	}
	if (!strcmp(name, "node")) {
		unsigned int j, dup = 0;

		for (j = 0; j < c->n_nodes && !dup; j++)
			if (!strcmp(c->nodes[j].name, arg))
				dup = c->nodes[j].line;
		if (check_named_section(p, "node", arg, dup, c->n_nodes,
					MICE_CFG_MAX_NODES, "nodes"))
			return -1;
		p->sec = SEC_NODE;
		p->node = &c->nodes[c->n_nodes++];
		strcpy(p->node->name, arg);
		p->node->line = p->line;
		return 0;
	}
	for (i = SEC_AGENT; i <= SEC_TIMERS; i++) {
		if (i == SEC_PEER || strcmp(name, sec_names[i]))
			continue;
		if (*arg)
			return perr(p, "section [%s] takes no name, got '%s'",
				    name, shown(arg, sb, sizeof(sb)));
		if (p->sec_line[i])
			return perr(p, "section [%s] is a duplicate of line %u",
				    name, p->sec_line[i]);
		p->sec_line[i] = p->line;
		p->sec = (enum cfg_section)i;
		return 0;
	}
	return perr(p, "unknown section '[%s]': expected [agent], [peer NAME], "
		    "[node NAME], [limits] or [timers]", shown(name, sb, sizeof(sb)));
}

static int parse_keyline(struct cfg_parser *p, char *s)
{
	char *v = s + strcspn(s, " \t");
	char sb[80];
	size_t i;

	if (*v) {
		*v++ = 0;
		while (*v == ' ' || *v == '\t')
			v++;
	}
	if (p->sec == SEC_NONE)
		return perr(p, "key '%s' outside a section: expected a section "
			    "header first ([agent], [peer NAME], [node NAME], "
			    "[limits], [timers])", shown(s, sb, sizeof(sb)));
	for (i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (k->sec != p->sec || strcmp(k->name, s))
			continue;
		if (p->key_line[i])
			return perr(p, "key '%s' is already set on line %u",
				    k->name, p->key_line[i]);
		if (!*v)
			return perr(p, "key '%s': expected a value after the key",
				    k->name);
		p->key_line[i] = p->line;
		return set_key(p, k, v);
	}
	if (p->sec == SEC_PEER)
		return perr(p, "unknown key '%s' in [peer %s]: expected one of "
			    "home-agent, credentials", shown(s, sb, sizeof(sb)),
			    p->peer->name);
	if (p->sec == SEC_NODE)
		return perr(p, "unknown key '%s' in [node %s]: expected key-file",
			    shown(s, sb, sizeof(sb)), p->node->name);
	{
		char list[256];
		size_t o = 0;

		list[0] = 0;
		for (i = 0; i < N_KEYS; i++) {
			if (cfg_keys[i].sec != p->sec)
				continue;
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
					      o ? ", " : "", cfg_keys[i].name);
			if (o >= sizeof(list))
				break;
		}
		return perr(p, "unknown key '%s' in [%s]: expected one of %s",
			    shown(s, sb, sizeof(sb)), sec_names[p->sec], list);
	}
}

/* Cross-key rules, checked once the whole file is read. */
static int check_config(struct cfg_parser *p)
{
	struct mice_config *c = p->c;

	p->line = 0;
	if (c->role == MICE_ROLE_NONE)
		return perr(p, "key 'role' in [agent] is missing: expected "
			    "'mn' or 'ha'");
	if (c->role == MICE_ROLE_MN && !c->has_home_agent)
		return perr(p, "role mn needs key 'home-agent' in [agent]: "
			    "expected ADDR[:PORT]");
	if (c->role == MICE_ROLE_HA && p->sec_line[SEC_AGENT] &&
	    c->n_peers && c->peers[0].line < p->sec_line[SEC_AGENT])
		return perr(p, "role ha: put [agent] before the [peer] sections "
			    "(their keys depend on the role)");
	if (c->role == MICE_ROLE_HA && c->n_listen == 0)
		return perr(p, "role ha needs key 'listen' in [agent]: expected "
			    "ADDR:PORT (the STUN/MIP port)");
	if (c->role == MICE_ROLE_MN && c->n_nodes) {
		p->line = c->nodes[0].line;
		return perr(p, "section [node %s]: only a home agent (role ha) "
			    "serves nodes", c->nodes[0].name);
	}
	if (c->role == MICE_ROLE_MN && p->registration_line) {
		p->line = p->registration_line;
		return perr(p, "key 'registration' is for role ha (a mobile node "
			    "signs its registrations when 'home-agent-key' is set)");
	}
	if (c->role == MICE_ROLE_HA && p->ha_key_line) {
		p->line = p->ha_key_line;
		return perr(p, "key 'home-agent-key' is for role mn (a home agent "
			    "has one key-file per [node NAME])");
	}
	if (c->role == MICE_ROLE_HA && c->registration == MICE_REG_AUTHENTICATED &&
	    !c->n_nodes)
		return perr(p, "role ha: 'registration authenticated' (the default) "
			    "needs a [node NAME] section with a key-file for each "
			    "mobile node served, or 'registration open' in [agent]");
	if (c->role == MICE_ROLE_HA) {
		unsigned int i, j;

		for (i = 0; i < c->n_nodes; i++)
			for (j = 0; j < c->n_peers; j++)
				if (!strcmp(c->nodes[i].name, c->peers[j].name)) {
					p->line = c->nodes[i].line;
					return perr(p, "section [node %s]: also a "
						    "[peer %s] on line %u, served "
						    "by another home agent",
						    c->nodes[i].name,
						    c->peers[j].name,
						    c->peers[j].line);
				}
	}
	if (c->consent_timeout_s <= c->consent_interval_s)
		return perr(p, "key 'consent-timeout' (%u s) must be larger "
			    "than 'consent-interval' (%u s) (RFC 7675 s.5.1)",
			    c->consent_timeout_s, c->consent_interval_s);
	return 0;
}

int mice_config_parse(struct mice_config *c, const char *text, size_t len,
		      const char *fname, char *err, size_t errlen)
{
	struct cfg_parser p;
	char line[MICE_CFG_LINE_MAX + 2];
	size_t pos = 0;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.fname = fname ? fname : "<config>";
	p.err = err;
	p.errlen = errlen;
	if (err && errlen)
		err[0] = 0;
	mice_config_defaults(c);
	if (!text && len)
		return perr(&p, "no text");

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *s, *e;

		p.line++;
		if (memchr(text + pos, 0, ll))
			return perr(&p, "expected text, found a NUL byte");
		if (ll > MICE_CFG_LINE_MAX)
			return perr(&p, "line longer than %d bytes",
				    MICE_CFG_LINE_MAX);
		memcpy(line, text + pos, ll);
		line[ll] = 0;
		pos += ll + (nl ? 1 : 0);

		s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = 0;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (parse_section(&p, s))
				return -1;
		} else if (parse_keyline(&p, s)) {
			return -1;
		}
	}
	if (finish_peer(&p))
		return -1;
	return check_config(&p);
}

int mice_config_load(struct mice_config *c, const char *path, char *err,
		     size_t errlen)
{
	char *buf;
	size_t got = 0;
	int fd, r;

	mice_config_defaults(c);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	buf = malloc(MICE_CFG_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, MICE_CFG_FILE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: read: %s", path,
				 strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > MICE_CFG_FILE_MAX) {
			snprintf(err, errlen, "%s: larger than %d bytes", path,
				 MICE_CFG_FILE_MAX);
			free(buf);
			close(fd);
			return -1;
		}
	}
	close(fd);
	r = mice_config_parse(c, buf, got, path, err, errlen);
	free(buf);
	return r;
}

const char *mice_role_name(enum mice_role r)
{
	return r == MICE_ROLE_MN ? "mn" : r == MICE_ROLE_HA ? "ha" : "none";
}

const char *mice_nomination_name(enum mice_nomination n)
{
	return n == MICE_NOM_AGGRESSIVE ? "aggressive" : "regular";
}

const char *mice_kernel_mode_name(enum mice_kernel_mode k)
{
	return k == MICE_KERNEL_OFF ? "off" : "auto";
}

const struct mice_cfg_peer *mice_config_peer(const struct mice_config *c,
					     const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n_peers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}
