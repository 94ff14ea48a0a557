// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of agent/config.c: a full good file, defaults, and bad files,
 * each rejected with an error that names the file, the line, the key and
 * what was expected.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static struct mice_config cfg;
static char err[MICE_CFG_ERR_MAX];

static int parse(const char *text)
{
	return mice_config_parse(&cfg, text, strlen(text), "t.conf", err,
				 sizeof(err));
}

/* @text must be rejected with an error containing every fragment. */
static void bad(const char *text, const char *f1, const char *f2)
{
	int r = parse(text);

	ck_assert_msg(r == -1, "accepted: %s", text);
	ck_assert_msg(strstr(err, f1), "error '%s' lacks '%s'", err, f1);
	if (f2)
		ck_assert_msg(strstr(err, f2), "error '%s' lacks '%s'", err, f2);
}

static const char *good_file =
	"# mice daemon configuration\n"
	"; another comment style\n"
	"\n"
	"[agent]\n"
	"role mn\n"
	"  listen 10.99.1.2:4191 [2001:db8::2]:4191\n"
	"stun-server 10.99.0.1\n"
	"home-agent [2001:db8::1]:5000\r\n"
	"frozen on\n"
	"early-checks off\n"
	"nomination aggressive\n"
	"kernel off\n"
	"\n"
	"[limits]\n"
	"max-checks 50\n"
	"max-remote-candidates 20\n"
	"max-local-candidates 10\n"
	"[timers]\n"
	"ta-ms 20\n"
	"rto-ms 1000\n"
	"consent-interval 4\n"
	"consent-timeout 20\n"
	"keepalive 10\t\n"
	"[peer cn-1]\n"
	"home-agent 10.99.3.1\n"
	"credentials psk-file /etc/mice/cn-1.psk\n"
	"[ peer  cn.2 ]\n"
	"credentials mikey\n";

START_TEST(test_good_file)
{
	const struct mice_cfg_peer *p;
	uint8_t v4[4], v6[16];

	ck_assert_msg(parse(good_file) == 0, "%s", err);
	ck_assert_int_eq(cfg.role, MICE_ROLE_MN);
	ck_assert_uint_eq(cfg.n_listen, 2);
	inet_pton(AF_INET, "10.99.1.2", v4);
	ck_assert_int_eq(cfg.listen[0].family, AF_INET);
	ck_assert_mem_eq(cfg.listen[0].ip, v4, 4);
	ck_assert_uint_eq(cfg.listen[0].port, 4191);
	inet_pton(AF_INET6, "2001:db8::2", v6);
	ck_assert_int_eq(cfg.listen[1].family, AF_INET6);
	ck_assert_mem_eq(cfg.listen[1].ip, v6, 16);
	ck_assert(cfg.has_stun_server);
	ck_assert_uint_eq(cfg.stun_server.port, MICE_CFG_STUN_PORT);
	ck_assert(cfg.has_home_agent);
	ck_assert_int_eq(cfg.home_agent.family, AF_INET6);
	ck_assert_uint_eq(cfg.home_agent.port, 5000);
	ck_assert(cfg.frozen);
	ck_assert(!cfg.early_checks);
	ck_assert_int_eq(cfg.nomination, MICE_NOM_AGGRESSIVE);
	ck_assert_int_eq(cfg.kernel, MICE_KERNEL_OFF);
	ck_assert_uint_eq(cfg.max_checks, 50);
	ck_assert_uint_eq(cfg.max_remote_cands, 20);
	ck_assert_uint_eq(cfg.max_local_cands, 10);
	ck_assert_uint_eq(cfg.ta_ms, 20);
	ck_assert_uint_eq(cfg.rto_ms, 1000);
	ck_assert_uint_eq(cfg.consent_interval_s, 4);
	ck_assert_uint_eq(cfg.consent_timeout_s, 20);
	ck_assert_uint_eq(cfg.keepalive_s, 10);
	ck_assert_uint_eq(cfg.n_peers, 2);
	p = mice_config_peer(&cfg, "cn-1");
	ck_assert_ptr_nonnull(p);
	ck_assert(p->has_home_agent);
	ck_assert_uint_eq(p->home_agent.port, MICE_CFG_HA_PORT);
	ck_assert_int_eq(p->cred, MICE_CRED_PSK_FILE);
	ck_assert_str_eq(p->psk_file, "/etc/mice/cn-1.psk");
	p = mice_config_peer(&cfg, "cn.2");
	ck_assert_ptr_nonnull(p);
	ck_assert(!p->has_home_agent);
	ck_assert_int_eq(p->cred, MICE_CRED_MIKEY);
	ck_assert_ptr_null(mice_config_peer(&cfg, "nobody"));
}
END_TEST

START_TEST(test_defaults)
{
	ck_assert_msg(parse("[agent]\nrole ha\nlisten 0.0.0.0:3478\n"
			    "[node m]\nkey-file /k\n") == 0, "%s", err);
	ck_assert_int_eq(cfg.role, MICE_ROLE_HA);
	ck_assert_int_eq(cfg.registration, MICE_REG_AUTHENTICATED);
	ck_assert(!cfg.frozen);				/* seed 004 s.1.4 */
	ck_assert(cfg.early_checks);
	ck_assert_int_eq(cfg.nomination, MICE_NOM_REGULAR);
	ck_assert_int_eq(cfg.kernel, MICE_KERNEL_AUTO);
	ck_assert_uint_eq(cfg.max_checks, 100);		/* seed 004 s.14.4.2 */
	ck_assert_uint_eq(cfg.max_local_cands, ICE_CAND_SET_DEFAULT_MAX);
	ck_assert_uint_eq(cfg.max_remote_cands, ICE_CAND_SET_DEFAULT_MAX);
	ck_assert_uint_eq(cfg.ta_ms, 50);
	ck_assert_uint_eq(cfg.rto_ms, 500);
	ck_assert_uint_eq(cfg.consent_interval_s, 5);
	ck_assert_uint_eq(cfg.consent_timeout_s, 30);
	ck_assert_uint_eq(cfg.keepalive_s, 15);
	ck_assert_uint_eq(cfg.nom_wait_ms, 1000);
	ck_assert_uint_eq(cfg.restart_nom_wait_ms, 500);
	ck_assert_uint_eq(cfg.silent_slack_ms, 20);
	ck_assert_uint_eq(cfg.restart_silent_slack_ms, 5);
	ck_assert(!cfg.has_stun_server);
	ck_assert_uint_eq(cfg.n_peers, 0);
	ck_assert_str_eq(mice_role_name(cfg.role), "ha");
}
END_TEST

START_TEST(test_bounds_accepted)
{
	ck_assert_msg(parse("[agent]\nrole mn\nhome-agent 192.0.2.1:1\n"
			    "[timers]\nta-ms 5\nrto-ms 60000\nkeepalive 300\n"
			    "nomination-wait-ms 10000\nrestart-nomination-wait-ms 1\n"
			    "regather-fallback-ms 60000\n"
			    "silent-slack-ms 1\nrestart-silent-slack-ms 1000\n"
			    "consent-interval 60\nconsent-timeout 300\n"
			    "[limits]\nmax-checks 1000\n"
			    "max-local-candidates 255\n") == 0, "%s", err);
	ck_assert_uint_eq(cfg.ta_ms, 5);
	ck_assert_uint_eq(cfg.rto_ms, 60000);
	ck_assert_uint_eq(cfg.nom_wait_ms, 10000);
	ck_assert_uint_eq(cfg.restart_nom_wait_ms, 1);
	ck_assert_uint_eq(cfg.regather_fallback_ms, 60000);
	ck_assert_uint_eq(cfg.silent_slack_ms, 1);
	ck_assert_uint_eq(cfg.restart_silent_slack_ms, 1000);
	ck_assert_uint_eq(cfg.max_local_cands, 255);
	ck_assert_uint_eq(cfg.home_agent.port, 1);
}
END_TEST

#define HDR "[agent]\nrole mn\nhome-agent 192.0.2.1\n"

START_TEST(test_bad_numbers)
{
	bad(HDR "[timers]\nta-ms 4\n", "t.conf:5:", "key 'ta-ms': expected "
	    "an integer 5-1000 (ms), got '4'");
	bad(HDR "[timers]\nta-ms 1001\n", "t.conf:5:", "got '1001'");
	bad(HDR "[timers]\nrto-ms 499\n", "key 'rto-ms'", "500-60000");
	bad(HDR "[timers]\nrto-ms -500\n", "key 'rto-ms'", "got '-500'");
	bad(HDR "[timers]\nrto-ms 5e2\n", "key 'rto-ms'", "got '5e2'");
	bad(HDR "[timers]\nrto-ms 99999999999999999999999\n", "key 'rto-ms'",
	    "expected an integer");
	bad(HDR "[timers]\nkeepalive 0\n", "key 'keepalive'", "1-300 (s)");
	bad(HDR "[timers]\nnomination-wait-ms 0\n", "key 'nomination-wait-ms'",
	    "1-10000 (ms)");
	bad(HDR "[timers]\nrestart-nomination-wait-ms 10001\n",
	    "key 'restart-nomination-wait-ms'", "1-10000 (ms)");
	bad(HDR "[timers]\nsilent-slack-ms 0\n", "key 'silent-slack-ms'",
	    "1-1000 (ms)");
	bad(HDR "[timers]\nrestart-silent-slack-ms 1001\n",
	    "key 'restart-silent-slack-ms'", "1-1000 (ms)");
	bad(HDR "[timers]\nregather-fallback-ms 49\n",
	    "key 'regather-fallback-ms'", "50-60000 (ms)");
	bad(HDR "[timers]\nconsent-interval 3\n", "key 'consent-interval'",
	    "4-60");
	bad(HDR "[limits]\nmax-checks 0\n", "key 'max-checks'", "1-1000");
	bad(HDR "[limits]\nmax-checks 1001\n", "key 'max-checks'", "1-1000");
	bad(HDR "[limits]\nmax-remote-candidates 256\n",
	    "key 'max-remote-candidates'", "1-255");
	bad(HDR "[limits]\nmax-local-candidates 1 2\n",
	    "key 'max-local-candidates'", "got '1 2'");
	bad(HDR "[timers]\nconsent-interval 10\nconsent-timeout 10\n",
	    "t.conf: key 'consent-timeout' (10 s) must be larger", "RFC 7675");
}
END_TEST

START_TEST(test_bad_keys_and_sections)
{
	bad("role mn\n", "t.conf:1:", "key 'role' outside a section");
	bad(HDR "colour blue\n", "t.conf:4: unknown key 'colour' in [agent]",
	    "expected one of role, listen, stun-server");
	bad(HDR "[timers]\nta 50\n", "t.conf:5: unknown key 'ta' in [timers]",
	    "ta-ms");
	bad(HDR "[limits]\nta-ms 50\n", "unknown key 'ta-ms' in [limits]",
	    "max-checks");
	bad(HDR "[peer x]\nrole mn\n", "unknown key 'role' in [peer x]",
	    "home-agent, credentials");
	bad(HDR "[global]\n", "t.conf:4: unknown section '[global]'",
	    "[agent], [peer NAME], [node NAME], [limits] or [timers]");
	bad(HDR "[agent\n", "t.conf:4:", "expected a section header");
	bad(HDR "[agent] x\n", "t.conf:4:", "expected a section header");
	bad(HDR "[agent]\n", "t.conf:4: section [agent] is a duplicate of "
	    "line 1", NULL);
	bad(HDR "[limits]\n[limits]\n", "t.conf:5: section [limits] is a "
	    "duplicate of line 4", NULL);
	bad(HDR "[limits extra]\n", "section [limits] takes no name", NULL);
	bad(HDR "role ha\n", "t.conf:4: key 'role' is already set on line 2",
	    NULL);
	bad(HDR "[timers]\nta-ms 10\nta-ms 10\n",
	    "t.conf:6: key 'ta-ms' is already set on line 5", NULL);
	bad(HDR "frozen\n", "t.conf:4: key 'frozen': expected a value", NULL);
	bad(HDR "early-checks soon\n",
	    "key 'early-checks': expected 'on' or 'off', got 'soon'", NULL);
	bad(HDR "frozen maybe\n", "key 'frozen': expected 'on' or 'off'",
	    "got 'maybe'");
	bad(HDR "nomination eager\n", "key 'nomination'", "'regular' or "
	    "'aggressive'");
	bad(HDR "kernel on\n", "key 'kernel': expected 'auto' or 'off'", NULL);
	bad("[agent]\nrole cn\n", "t.conf:2: key 'role': expected 'mn' or "
	    "'ha', got 'cn'", NULL);
}
END_TEST

START_TEST(test_bad_addresses)
{
	bad("[agent]\nrole mn\nhome-agent 10.1.1\n", "t.conf:3: key "
	    "'home-agent': expected ADDR[:PORT]", "got '10.1.1'");
	bad("[agent]\nrole mn\nhome-agent 10.1.1.1:0\n", "key 'home-agent'",
	    "port is not a number 1-65535");
	bad("[agent]\nrole mn\nhome-agent 10.1.1.1:65536\n",
	    "key 'home-agent'", "1-65535");
	bad("[agent]\nrole mn\nhome-agent 10.1.1.1:\n", "key 'home-agent'",
	    "empty port");
	bad("[agent]\nrole mn\nhome-agent 0.0.0.0\n", "key 'home-agent': "
	    "expected a unicast address", NULL);
	bad("[agent]\nrole mn\nhome-agent [ff02::1]:4191\n",
	    "expected a unicast address", NULL);
	bad("[agent]\nrole mn\nhome-agent [2001:db8::1\n", "key 'home-agent'",
	    "without a closing");
	bad("[agent]\nrole mn\nhome-agent [10.0.0.1]:5\n", "key 'home-agent'",
	    "not an IPv6 address");
	bad("[agent]\nrole mn\nhome-agent ha.example.org\n",
	    "key 'home-agent'", "not an IPv4 address");
	bad("[agent]\nrole mn\nstun-server 10.0.0.1:3478x\n",
	    "key 'stun-server'", NULL);
	bad(HDR "listen 10.0.0.1\n", "t.conf:4: key 'listen'",
	    "a port is required");
	bad(HDR "listen 10.0.0.1:1 10.0.0.1:1\n", "key 'listen'",
	    "listed twice");
	bad(HDR "listen 1.1.1.1:1 1.1.1.2:1 1.1.1.3:1 1.1.1.4:1 1.1.1.5:1 "
	    "1.1.1.6:1 1.1.1.7:1 1.1.1.8:1 1.1.1.9:1\n", "key 'listen'",
	    "at most 8");
	bad(HDR "listen 224.0.0.1:5\n", "key 'listen'", "unicast");
}
END_TEST

START_TEST(test_bad_peers)
{
	bad(HDR "[peer]\ncredentials mikey\n", "t.conf:4: section [peer NAME]:"
	    " expected a name", NULL);
	bad(HDR "[peer a/b]\ncredentials mikey\n", "expected a name",
	    "got 'a/b'");
	bad(HDR "[peer x]\ncredentials mikey\n[peer x]\ncredentials mikey\n",
	    "t.conf:6: section [peer x] is a duplicate of line 4", NULL);
	bad(HDR "[peer x]\nhome-agent 10.0.0.9\n[limits]\n",
	    "t.conf:4: section [peer x]: key 'credentials' is missing", NULL);
	bad(HDR "[peer x]\nhome-agent 10.0.0.9\n",
	    "t.conf:4: section [peer x]: key 'credentials' is missing", NULL);
	bad(HDR "[peer x]\ncredentials psk-file etc/psk\n",
	    "key 'credentials': expected an absolute path", NULL);
	bad(HDR "[peer x]\ncredentials psk\n", "key 'credentials': expected "
	    "'psk-file /PATH' or 'mikey'", NULL);
	bad(HDR "[peer x]\ncredentials mikey\ncredentials mikey\n",
	    "key 'credentials' is already set on line 5", NULL);
	/* a Home Agent's peers name the HA serving them (HA-to-HA relay) */
	bad("[agent]\nrole ha\nlisten 10.0.0.1:4191\n[peer x]\ncredentials mikey\n",
	    "t.conf:4: section [peer x]: key 'home-agent' is missing", NULL);
	ck_assert_int_eq(parse("[agent]\nrole ha\nlisten 10.0.0.1:4191\n"
			       "registration open\n"
			       "[peer R]\nhome-agent 10.0.0.2\n"
			       "ha-key-file /etc/mice/ha2.key\n"), 0);
	ck_assert_uint_eq(cfg.n_peers, 1);
	ck_assert(cfg.peers[0].has_home_agent);
	ck_assert_uint_eq(cfg.peers[0].home_agent.port, 4191);
	ck_assert_str_eq(cfg.peers[0].ha_key_file, "/etc/mice/ha2.key");
}
END_TEST

/*
 * HA-HA keys: a home agent talks to a peer home agent only under a key
 * shared with it (fail closed), and only a home agent has such keys.
 */
START_TEST(test_ha_peer_keys)
{
	bad("[agent]\nrole ha\nlisten 10.0.0.1:4191\nregistration open\n"
	    "[peer R]\nhome-agent 10.0.0.2\n",
	    "t.conf:5: section [peer R]: key 'ha-key-file' is missing",
	    "authenticated under a key shared with it");
	bad("[agent]\nrole ha\nlisten 10.0.0.1:4191\nregistration open\n"
	    "[peer R]\nhome-agent 10.0.0.2\nha-key-file h.key\n",
	    "t.conf:7: key 'ha-key-file': expected an absolute path", NULL);
	bad("[agent]\nrole ha\nlisten 10.0.0.1:4191\nregistration open\n"
	    "[peer R]\nhome-agent 10.0.0.2\nha-key-file /a\nha-key-file /b\n",
	    "key 'ha-key-file' is already set on line 7", NULL);
	bad("[agent]\nrole mn\nhome-agent 10.0.0.1\n[peer R]\n"
	    "credentials mikey\nha-key-file /h\n",
	    "t.conf:4: section [peer R]: key 'ha-key-file' is for role ha", NULL);
}
END_TEST

/* `user NAME`: the user the daemon drops to after start (docs/config.md). */
START_TEST(test_user_key)
{
	const char *mn = "[agent]\nrole mn\nhome-agent 10.0.0.1\n";
	char text[256];

	ck_assert_int_eq(parse(mn), 0);
	ck_assert_str_eq(cfg.user, "");		/* default: stays as started */
	snprintf(text, sizeof(text), "%suser mice\n", mn);
	ck_assert_msg(parse(text) == 0, "%s", err);
	ck_assert_str_eq(cfg.user, "mice");
	ck_assert_int_eq(parse("[agent]\nrole ha\nlisten 10.0.0.1:4191\n"
			       "registration open\nuser _mice-ha.1\n"), 0);
	ck_assert_str_eq(cfg.user, "_mice-ha.1");
	snprintf(text, sizeof(text), "%suser nobody\nuser mice\n", mn);
	bad(text, "t.conf:5: key 'user' is already set on line 4", NULL);
	snprintf(text, sizeof(text), "%suser 0\n", mn);
	bad(text, "t.conf:4: key 'user': expected a user name", "got '0'");
	snprintf(text, sizeof(text), "%suser Mice\n", mn);
	bad(text, "t.conf:4: key 'user': expected a user name", NULL);
	snprintf(text, sizeof(text), "%suser a/b\n", mn);
	bad(text, "key 'user'", NULL);
	snprintf(text, sizeof(text), "%suser %s\n", mn,
		 "abcdefghijabcdefghijabcdefghijabc");	/* 33 characters */
	bad(text, "key 'user'", "at most 32");
	snprintf(text, sizeof(text), "%s[peer p]\ncredentials mikey\nuser mice\n", mn);
	bad(text, "t.conf:6: unknown key 'user' in [peer p]", NULL);
}
END_TEST

/* MN-HA keys (RFC 4285): a home agent's [node NAME]s, a node's key. */
START_TEST(test_registration_keys)
{
	static char many[64 * 1024];
	size_t o;
	int i;

#define HA "[agent]\nrole ha\nlisten 10.0.0.1:4191\n"
#define MN "[agent]\nrole mn\nhome-agent 10.0.0.1\n"
	ck_assert_msg(parse(HA "[node m1]\nkey-file /etc/mice/m1.key\n"
			    "[node m2]\nkey-file /etc/mice/m2.key\n") == 0, "%s", err);
	ck_assert_uint_eq(cfg.n_nodes, 2);
	ck_assert_str_eq(cfg.nodes[1].name, "m2");
	ck_assert_str_eq(cfg.nodes[1].key_file, "/etc/mice/m2.key");
	ck_assert_uint_eq(cfg.nodes[1].line, 6);
	ck_assert_int_eq(parse(HA "registration open\n"), 0);
	ck_assert_int_eq(cfg.registration, MICE_REG_OPEN);
	ck_assert_int_eq(parse(MN "home-agent-key /etc/mice/ha.key\n"), 0);
	ck_assert_str_eq(cfg.home_agent_key, "/etc/mice/ha.key");
	ck_assert_int_eq(parse(MN), 0);
	ck_assert_str_eq(cfg.home_agent_key, "");

	bad(HA, "t.conf: role ha: 'registration authenticated' (the default) "
	    "needs a [node NAME] section", "or 'registration open'");
	bad(HA "registration closed\n", "t.conf:4: key 'registration': expected "
	    "'authenticated' or 'open', got 'closed'", NULL);
	bad(HA "[node m1]\n", "t.conf:4: section [node m1]: key 'key-file' is missing", NULL);
	bad(HA "[node m1]\nkey-file m1.key\n",
	    "t.conf:5: key 'key-file': expected an absolute path, got 'm1.key'", NULL);
	bad(HA "[node m1]\nkey-file /a\n[node m1]\nkey-file /b\n",
	    "t.conf:6: section [node m1] is a duplicate of line 4", NULL);
	bad(HA "[node m1]\nkey-file /a\ncredentials mikey\n",
	    "t.conf:6: unknown key 'credentials' in [node m1]: expected key-file", NULL);
	bad(HA "[node m/1]\nkey-file /a\n", "section [node NAME]: expected a name", NULL);
	bad(HA "[node m1]\nkey-file /a\n[peer m1]\nhome-agent 10.0.0.2\n"
	    "ha-key-file /h\n",
	    "t.conf:4: section [node m1]: also a [peer m1] on line 6", NULL);
	bad(HA "home-agent-key /k\n[node m1]\nkey-file /a\n",
	    "t.conf:4: key 'home-agent-key' is for role mn", NULL);
	bad(MN "registration open\n", "t.conf:4: key 'registration' is for role ha", NULL);
	bad(MN "[node m1]\nkey-file /a\n",
	    "t.conf:4: section [node m1]: only a home agent (role ha) serves nodes", NULL);
	bad(MN "home-agent-key ha.key\n",
	    "t.conf:4: key 'home-agent-key': expected an absolute path", NULL);
	o = (size_t)snprintf(many, sizeof(many), HA);
	for (i = 0; i <= MICE_CFG_MAX_NODES; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o,
				      "[node n%d]\nkey-file /k%d\n", i, i);
	bad(many, "section [node n64]: expected at most 64 nodes", NULL);
#undef HA
#undef MN
}
END_TEST

START_TEST(test_bad_file_level)
{
	static const char nul[] = "[agent]\nrole\0 mn\n";
	char longline[MICE_CFG_LINE_MAX + 20];
	int r;

	bad("", "t.conf: key 'role' in [agent] is missing", NULL);
	bad("[agent]\nrole mn\n", "role mn needs key 'home-agent'", NULL);
	bad("[agent]\nrole ha\n", "role ha needs key 'listen'", NULL);
	r = mice_config_parse(&cfg, nul, sizeof(nul) - 1, "t.conf", err,
			      sizeof(err));
	ck_assert_int_eq(r, -1);
	ck_assert_str_eq(err, "t.conf:2: expected text, found a NUL byte");
	memset(longline, 'x', sizeof(longline) - 1);
	longline[0] = '#';
	longline[sizeof(longline) - 1] = 0;
	bad(longline, "t.conf:1: line longer than 1023 bytes", NULL);
	/* Non-printable bytes in values are escaped in messages. */
	bad("[agent]\nrole \x01\xff\n", "got '\\x01\\xff'", NULL);
	/* A tiny error buffer is never overrun and stays terminated. */
	r = mice_config_parse(&cfg, "[x]\n", 4, "t.conf", err, 6);
	ck_assert_int_eq(r, -1);
	ck_assert_str_eq(err, "t.con");
}
END_TEST

START_TEST(test_load)
{
	char path[] = "/tmp/mice-test-config-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(good_file, f);
	fclose(f);
	ck_assert_msg(mice_config_load(&cfg, path, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(cfg.n_peers, 2);
	unlink(path);
	ck_assert_int_eq(mice_config_load(&cfg, path, err, sizeof(err)), -1);
	ck_assert(strstr(err, "cannot open"));
	ck_assert(strstr(err, path));
}
END_TEST

START_TEST(test_hostport)
{
	struct ice_addr a;
	const char *why;

	ck_assert_int_eq(mice_parse_hostport("192.0.2.1:80", 0, &a, &why), 0);
	ck_assert_uint_eq(a.port, 80);
	ck_assert_int_eq(mice_parse_hostport("2001:db8::1", 7, &a, &why), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_uint_eq(a.port, 7);
	ck_assert_int_eq(mice_parse_hostport("[::1]:9", 0, &a, &why), 0);
	ck_assert_uint_eq(a.port, 9);
	ck_assert_int_eq(mice_parse_hostport("[::1]", 0, &a, &why), -1);
	ck_assert_int_eq(mice_parse_hostport("[::1]x", 5, &a, &why), -1);
	ck_assert_int_eq(mice_parse_hostport("::1:", 5, &a, &why), -1);
	ck_assert_int_eq(mice_parse_hostport("1.2.3.4:99999", 5, &a, &why), -1);
	ck_assert_int_eq(mice_parse_hostport("", 5, &a, &why), -1);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_good_file);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_bounds_accepted);
	tcase_add_test(tc, test_bad_numbers);
	tcase_add_test(tc, test_bad_keys_and_sections);
	tcase_add_test(tc, test_bad_addresses);
	tcase_add_test(tc, test_bad_peers);
	tcase_add_test(tc, test_registration_keys);
	tcase_add_test(tc, test_ha_peer_keys);
	tcase_add_test(tc, test_user_key);
	tcase_add_test(tc, test_bad_file_level);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_hostport);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
