/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration file of `mice daemon` (format in docs/config.md).
 *
 * Line based and INI-like: `[agent]`, `[peer NAME]`, `[node NAME]`, `[limits]`,
 * `[timers]` sections holding `key value` lines; whole-line comments start
 * with '#' or ';'. The parser is strict: unknown sections and keys,
 * duplicate keys and sections, out-of-range numbers and malformed
 * addresses are errors, and every error message names the file, the line,
 * the key and what was expected ("mice.conf:7: key 'ta-ms': expected an
 * integer 5-1000 (ms), got '3'").
 *
 * Defaults follow seed 004 and RFC 8445: max-checks 100 (seed 004
 * s.14.4.2), Ta 50 ms (RFC 8445 s.14.2), RTO 500 ms (RFC 8489 s.6.2.1),
 * consent 5 s / 30 s (RFC 7675 s.5.1), keepalive 15 s (RFC 8445 s.11),
 * frozen candidates off (seed 004 s.1.4), regular nomination
 * (RFC 8445 s.8.1.1).
 */
#ifndef MICE_CONFIG_H
#define MICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"

#define MICE_CFG_MAX_LISTEN	8
#define MICE_CFG_MAX_PEERS	32
#define MICE_CFG_MAX_NODES	64	/* [node NAME]: a home agent's nodes */
#define MICE_CFG_NAME_MAX	63	/* peer name: [A-Za-z0-9._-]{1,63} */
#define MICE_CFG_PATH_MAX	255
#define MICE_CFG_LINE_MAX	1023	/* longer lines are an error */
#define MICE_CFG_FILE_MAX	(64 * 1024)
#define MICE_CFG_USER_MAX	32	/* `user NAME`: [a-z_][a-z0-9_.-]* */
#define MICE_CFG_ERR_MAX	512	/* a buffer this big holds any error */

#define MICE_CFG_STUN_PORT	3478	/* the default STUN port (RFC 8489) */
#define MICE_CFG_HA_PORT	4191	/* RFC 5555 s.4.1 (DSMIPv6 UDP port) */

/* Ranges of the numeric keys: [min, max] and the default. */
#define MICE_CFG_MAX_CHECKS_DEF	100	/* seed 004 s.14.4.2 */
#define MICE_CFG_MAX_CHECKS_MIN	1
#define MICE_CFG_MAX_CHECKS_MAX	1000
#define MICE_CFG_MAX_CANDS_DEF	ICE_CAND_SET_DEFAULT_MAX
#define MICE_CFG_MAX_CANDS_MAX	ICE_CAND_SET_HARD_MAX
#define MICE_CFG_TA_DEF		50	/* ms, RFC 8445 s.14.2 */
#define MICE_CFG_TA_MIN		5	/* ms, RFC 8445 s.14.2 floor */
#define MICE_CFG_TA_MAX		1000
#define MICE_CFG_RTO_DEF	500	/* ms, RFC 8489 s.6.2.1 */
#define MICE_CFG_RTO_MIN	500	/* RFC 8489 s.6.2.1: SHOULD be >= 500 */
#define MICE_CFG_RTO_MAX	60000
#define MICE_CFG_CONSENT_IVL_DEF 5	/* s, RFC 7675 s.5.1 */
#define MICE_CFG_CONSENT_IVL_MIN 4	/* s, never more often (RFC 7675) */
#define MICE_CFG_CONSENT_IVL_MAX 60
#define MICE_CFG_CONSENT_TO_DEF	30	/* s, RFC 7675 s.5.1 */
#define MICE_CFG_CONSENT_TO_MIN	5
#define MICE_CFG_CONSENT_TO_MAX	300
#define MICE_CFG_KEEPALIVE_DEF	15	/* s, RFC 8445 s.11 */
#define MICE_CFG_KEEPALIVE_MIN	1
#define MICE_CFG_KEEPALIVE_MAX	300
/* regular nomination: how long the controlling agent waits for a better
 * pair once one is valid (RFC 8445 s.8.1.1 leaves it to the agent) */
#define MICE_CFG_NOM_WAIT_DEF	1000	/* ms, first offer */
#define MICE_CFG_RESTART_NOM_WAIT_DEF 500	/* ms, after a move (s.9) */
#define MICE_CFG_SLACK_MIN	1
#define MICE_CFG_SLACK_MAX	1000
#define MICE_CFG_SLACK_DEF	20	/* ms, ICE_SILENT_SLACK_MS */
#define MICE_CFG_RESTART_SLACK_DEF 5	/* ms, after a move (s.9) */
#define MICE_CFG_NOM_WAIT_MIN	1
#define MICE_CFG_NOM_WAIT_MAX	10000
/* after a move, re-gather this long after the last address event even
 * without a route to the home agent (seed 004 s.9) */
#define MICE_CFG_REGATHER_FB_DEF 500	/* ms */
#define MICE_CFG_REGATHER_FB_MIN 50
#define MICE_CFG_REGATHER_FB_MAX 60000

enum mice_role {
	MICE_ROLE_NONE = 0,	/* not set: an error after parsing */
	MICE_ROLE_MN,		/* mobile node */
	MICE_ROLE_HA,		/* home agent (runs the STUN server) */
};

enum mice_nomination {
	MICE_NOM_REGULAR = 0,	/* RFC 8445 s.8.1.1 */
	MICE_NOM_AGGRESSIVE,	/* RFC 5245 s.8.1.1.2 (deprecated by 8445) */
};

enum mice_kernel_mode {
	MICE_KERNEL_AUTO = 0,	/* use the module when it is loaded */
	MICE_KERNEL_OFF,	/* userspace only */
};

enum mice_cred_src {
	MICE_CRED_NONE = 0,	/* not set: an error after parsing */
	MICE_CRED_PSK_FILE,	/* `credentials psk-file /abs/path` */
	MICE_CRED_MIKEY,	/* `credentials mikey` (RFC 3830 exchange) */
};

struct mice_cfg_peer {
	char name[MICE_CFG_NAME_MAX + 1];
	unsigned int line;		/* of its [peer NAME] header */
	bool has_home_agent;
	struct ice_addr home_agent;
	enum mice_cred_src cred;
	char psk_file[MICE_CFG_PATH_MAX + 1];
	/* ha: the key shared with the peer's Home Agent ("": none) */
	char ha_key_file[MICE_CFG_PATH_MAX + 1];
};

enum mice_registration {
	MICE_REG_AUTHENTICATED = 0,	/* only [node NAME]s, with their key */
	MICE_REG_OPEN,			/* anyone may register any name */
};

/* A mobile node a home agent serves, and their MN-HA key (RFC 4285). */
struct mice_cfg_node {
	char name[MICE_CFG_NAME_MAX + 1];
	unsigned int line;		/* of its [node NAME] header */
	char key_file[MICE_CFG_PATH_MAX + 1];
};

struct mice_config {
	/* [agent] */
	enum mice_role role;
	unsigned int n_listen;
	struct ice_addr listen[MICE_CFG_MAX_LISTEN];
	bool has_stun_server;
	struct ice_addr stun_server;
	bool has_home_agent;
	struct ice_addr home_agent;
	bool frozen;
	/* after a move, check the peer's last candidates as the offer goes */
	bool early_checks;
	enum mice_nomination nomination;
	enum mice_kernel_mode kernel;
	/* mn: the MN-HA key its registrations are signed with ("": none) */
	char home_agent_key[MICE_CFG_PATH_MAX + 1];
	enum mice_registration registration;	/* ha */
	/* the user the daemon drops to after start ("": stays as started) */
	char user[MICE_CFG_USER_MAX + 1];
	/* [limits] */
	unsigned int max_checks;
	unsigned int max_remote_cands;
	unsigned int max_local_cands;
	/* [timers] */
	unsigned int ta_ms;
	unsigned int rto_ms;
	unsigned int consent_interval_s;
	unsigned int consent_timeout_s;
	unsigned int keepalive_s;
	unsigned int nom_wait_ms, restart_nom_wait_ms;
	unsigned int silent_slack_ms, restart_silent_slack_ms;
	unsigned int regather_fallback_ms;
	/* [peer NAME] */
	unsigned int n_peers;
	struct mice_cfg_peer peers[MICE_CFG_MAX_PEERS];
	/* [node NAME], role ha */
	unsigned int n_nodes;
	struct mice_cfg_node nodes[MICE_CFG_MAX_NODES];
};

/* Every field at its default; role unset. */
void mice_config_defaults(struct mice_config *c);

/*
 * Parses @len bytes of @text (need not be NUL-terminated; a NUL byte is an
 * error) into @c, which is first set to defaults. @fname names the file in
 * error messages. Returns 0, or -1 with "FILE:LINE: message" in @err.
 */
int mice_config_parse(struct mice_config *c, const char *text, size_t len,
		      const char *fname, char *err, size_t errlen);

/* Reads @path (at most MICE_CFG_FILE_MAX bytes) and parses it. */
int mice_config_load(struct mice_config *c, const char *path, char *err,
		     size_t errlen);

/*
 * "ADDR", "ADDR:PORT", "[V6ADDR]" or "[V6ADDR]:PORT" (a bare IPv6 literal
 * takes no port). @defport is used when the port is absent; 0 means the
 * port is required. Returns 0 or -1 with what was wrong in @why.
 */
int mice_parse_hostport(const char *s, uint16_t defport, struct ice_addr *out,
			const char **why);

const char *mice_role_name(enum mice_role r);
const char *mice_nomination_name(enum mice_nomination n);
const char *mice_kernel_mode_name(enum mice_kernel_mode k);
const struct mice_cfg_peer *mice_config_peer(const struct mice_config *c,
					     const char *name);

#endif /* MICE_CONFIG_H */
