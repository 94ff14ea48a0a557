/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mice: M-ICE fast path (draft-tschofenig-mip6-ice, seed 004).
 *
 * The generic-netlink family "mice" shared by the kernel module and the
 * agent. docs/netlink.md documents every command and attribute.
 *
 * Conventions:
 *  - every command that changes state needs CAP_NET_ADMIN in the initial
 *    user namespace (GENL_ADMIN_PERM); reading state (the GET commands and dumps) and
 *    joining MICE_MCGRP_EVENTS need CAP_NET_ADMIN over the network
 *    namespace's own user namespace (GENL_UNS_ADMIN_PERM,
 *    GENL_MCAST_CAP_NET_ADMIN): they show other hosts' addresses and flows;
 *  - uapi/mice.yaml is the family's netlink spec; tests/spec/check_spec.py
 *    checks that it agrees with this header and the module's policies;
 *  - objects are nested under one top-level attribute (MICE_A_SOCK, ...);
 *  - addresses are carried as 4 or 16 raw octets in network order, ports as
 *    big-endian u16;
 *  - dumps set NLM_F_DUMP_INTR when the table changed during the dump.
 */
#ifndef _UAPI_LINUX_MICE_H
#define _UAPI_LINUX_MICE_H

#include <linux/types.h>

#define MICE_GENL_NAME		"mice"
#define MICE_GENL_VERSION	1
#define MICE_MCGRP_EVENTS	"events"

/* Demultiplexing classes of a datagram on an attached socket (seed 004 s.12). */
enum mice_class {
	MICE_CLASS_STUN,	/* STUN with a valid FINGERPRINT: to the agent */
	MICE_CLASS_MIP,		/* mobility header after UDP: to the agent */
	MICE_CLASS_DATA,	/* encapsulated IPv4/IPv6: the fast path */
	MICE_CLASS_INVALID,	/* anything else: dropped */
	__MICE_CLASS_MAX
};
#define MICE_CLASS_MAX (__MICE_CLASS_MAX - 1)

/*
 * Why a datagram was not delivered. The classifier gives the reasons up to
 * MICE_REASON_SHORT_READ and MICE_REASON_STUN_OVERSIZE; the data path adds
 * the others. MICE_REASON_TX_INNER_HEADER counts packets the mice device
 * refused to send. New reasons are added at the end only.
 */
enum mice_reason {
	MICE_REASON_NONE,
	MICE_REASON_EMPTY,		/* zero-length UDP payload */
	MICE_REASON_UNKNOWN,		/* first octet fits no class */
	MICE_REASON_STUN_LENGTH,	/* cookie, message length disagrees */
	MICE_REASON_STUN_NO_FINGERPRINT, /* cookie, FINGERPRINT not last */
	MICE_REASON_STUN_FINGERPRINT,	/* cookie, FINGERPRINT CRC wrong */
	MICE_REASON_MH_LENGTH,		/* (Header Len + 1) * 8 != payload */
	MICE_REASON_MH_TYPE,		/* MH type not known */
	MICE_REASON_IPV4_HEADER,	/* short, IHL < 5 or beyond payload */
	MICE_REASON_IPV4_LENGTH,	/* Total Length != payload */
	MICE_REASON_IPV6_HEADER,	/* shorter than the fixed header */
	MICE_REASON_IPV6_LENGTH,	/* 40 + Payload Length != payload */
	MICE_REASON_SHORT_READ,		/* caller gave fewer bytes than needed */
	MICE_REASON_DATA_NO_PAIR,	/* data from no validated pair */
	MICE_REASON_DATA_INNER_SOURCE,	/* inner source outside peer prefixes */
	MICE_REASON_DATA_NO_GATE,	/* media admission: no committed gate */
	MICE_REASON_DATA_POLICED,	/* media admission: over the envelope */
	MICE_REASON_NOMEM,		/* allocation failed on the fast path */
	MICE_REASON_STUN_OVERSIZE,	/* cookie, longer than MICE_STUN_MAX_LEN */
	MICE_REASON_TX_INNER_HEADER,	/* transmit: no whole IPv4/IPv6 header
					 * of the skb's protocol */
	__MICE_REASON_MAX
};
#define MICE_REASON_MAX (__MICE_REASON_MAX - 1)

enum mice_cmd {
	MICE_CMD_UNSPEC,
	MICE_CMD_SOCK_ATTACH,	/* MICE_A_SOCK{FD}: attach, reply with ID */
	MICE_CMD_SOCK_DETACH,	/* MICE_A_SOCK{ID}; also the detach event */
	MICE_CMD_SOCK_GET,	/* dump (or MICE_A_SOCK{ID}) */
	MICE_CMD_STATS_GET,	/* MICE_A_STATS of this netns */
	MICE_CMD_PAIR_SET,	/* MICE_A_PAIR: create or atomically replace */
	MICE_CMD_PAIR_DEL,	/* MICE_A_PAIR{PEER_ID} */
	MICE_CMD_PAIR_GET,	/* dump (or MICE_A_PAIR{PEER_ID}) */
	MICE_CMD_GATE_ADD,	/* MICE_A_GATE: authorize a flow (docs/gates.md) */
	MICE_CMD_GATE_COMMIT,
	MICE_CMD_GATE_DEL,
	MICE_CMD_GATE_GET,
	MICE_CMD_KEY_SET,	/* MICE_A_KEY: a token key, never readable */
	MICE_CMD_KEY_DEL,
	MICE_CMD_MODE_SET,
	/* notifications on MICE_MCGRP_EVENTS */
	MICE_CMD_SOCK_ATTACHED,	/* MICE_A_SOCK */
	MICE_CMD_SOCK_DETACHED,	/* MICE_A_SOCK{ID, DETACH_CAUSE} */
	MICE_CMD_DROP,		/* MICE_A_DROP, rate-limited */
	MICE_CMD_PAIR_UP,	/* MICE_A_PAIR: a peer got its first pair */
	MICE_CMD_PAIR_REPLACED,	/* MICE_A_PAIR: a peer's pair was replaced */
	MICE_CMD_PAIR_DOWN,	/* MICE_A_PAIR{PEER_ID, DOWN_CAUSE} */
	MICE_CMD_GATE_COMMITTED, /* MICE_A_GATE: a gate was bound to its flow */
	MICE_CMD_GATE_CLOSED,	/* MICE_A_GATE{..., CLOSE_CAUSE} */
	MICE_CMD_GATE_EXPIRED,	/* MICE_A_GATE: authorized, never committed */
	MICE_CMD_GATE_DENIED,	/* MICE_A_GATE{[ID], REASON, FLOW, LEN}, rate-limited */
	__MICE_CMD_MAX
};
#define MICE_CMD_MAX (__MICE_CMD_MAX - 1)

enum mice_attr {
	MICE_A_UNSPEC,
	MICE_A_SOCK,		/* nest, enum mice_sock_attr */
	MICE_A_STATS,		/* nest, enum mice_stats_attr */
	MICE_A_DROP,		/* nest, enum mice_drop_attr */
	MICE_A_PAIR,		/* nest, enum mice_pair_attr */
	MICE_A_GATE,		/* nest, enum mice_gate_attr (docs/gates.md) */
	MICE_A_KEY,		/* nest, enum mice_key_attr */
	MICE_A_MODE,		/* nest, enum mice_mode_attr */
	MICE_A_PAD,
	__MICE_A_MAX
};
#define MICE_A_MAX (__MICE_A_MAX - 1)

/* Why a socket left the module. */
enum mice_detach_cause {
	MICE_DETACH_COMMAND,	/* MICE_CMD_SOCK_DETACH */
	MICE_DETACH_CLOSED,	/* the owner closed the socket */
	MICE_DETACH_NETNS,	/* the network namespace went away */
	MICE_DETACH_UNLOAD,	/* unused: an attached socket pins the module */
};

enum mice_sock_attr {
	MICE_SOCK_A_UNSPEC,
	MICE_SOCK_A_FD,		/* u32, attach only */
	MICE_SOCK_A_ID,		/* u32, assigned by the kernel, never 0 */
	MICE_SOCK_A_FAMILY,	/* u16, AF_INET or AF_INET6 */
	MICE_SOCK_A_ADDR,	/* binary, 4 or 16 octets: bound address */
	MICE_SOCK_A_PORT,	/* be16: bound port */
	MICE_SOCK_A_CLASS,	/* nest, multi: enum mice_count_attr */
	MICE_SOCK_A_DETACH_CAUSE, /* u8, enum mice_detach_cause */
	MICE_SOCK_A_PAD,
	__MICE_SOCK_A_MAX
};
#define MICE_SOCK_A_MAX (__MICE_SOCK_A_MAX - 1)

/* One counter row: a class or a reason with its packets and bytes. */
enum mice_count_attr {
	MICE_COUNT_A_UNSPEC,
	MICE_COUNT_A_ID,	/* u32: enum mice_class or enum mice_reason */
	MICE_COUNT_A_PACKETS,	/* u64 */
	MICE_COUNT_A_BYTES,	/* u64: UDP payload octets */
	MICE_COUNT_A_PAD,
	__MICE_COUNT_A_MAX
};
#define MICE_COUNT_A_MAX (__MICE_COUNT_A_MAX - 1)

enum mice_stats_attr {
	MICE_STATS_A_UNSPEC,
	MICE_STATS_A_CLASS,	/* nest, multi: received, per enum mice_class */
	MICE_STATS_A_DROP,	/* nest, multi: dropped, per enum mice_reason */
	MICE_STATS_A_SOCKETS,	/* u32: sockets attached in this netns */
	MICE_STATS_A_EVENTS_SUPPRESSED, /* u64: drop events rate-limited away */
	MICE_STATS_A_PAD,
	__MICE_STATS_A_MAX
};
#define MICE_STATS_A_MAX (__MICE_STATS_A_MAX - 1)

enum mice_drop_attr {
	MICE_DROP_A_UNSPEC,
	MICE_DROP_A_SOCK_ID,	/* u32 */
	MICE_DROP_A_CLASS,	/* u32, enum mice_class */
	MICE_DROP_A_REASON,	/* u32, enum mice_reason */
	MICE_DROP_A_FAMILY,	/* u16 */
	MICE_DROP_A_SADDR,	/* binary, 4 or 16 octets */
	MICE_DROP_A_SPORT,	/* be16 */
	MICE_DROP_A_LEN,	/* u32, UDP payload length */
	__MICE_DROP_A_MAX
};
#define MICE_DROP_A_MAX (__MICE_DROP_A_MAX - 1)

/*
 * A peer is a remote mobile host or gateway: the inner prefixes routed to it
 * and its current pair (local attached socket, remote address and port),
 * which the agent installs after ICE nominates it (seed 004 s.8) and
 * replaces atomically on handover (s.9).
 */
enum mice_pair_attr {
	MICE_PAIR_A_UNSPEC,
	MICE_PAIR_A_PEER_ID,	/* u32 >= 1, chosen by the agent */
	MICE_PAIR_A_SOCK_ID,	/* u32: the attached local socket */
	MICE_PAIR_A_REMOTE_ADDR, /* binary, 4 or 16 octets */
	MICE_PAIR_A_REMOTE_PORT, /* be16 */
	MICE_PAIR_A_IFINDEX,	/* u32: the mice device the peer's traffic uses */
	MICE_PAIR_A_PREFIX,	/* nest, repeated: enum mice_prefix_attr */
	MICE_PAIR_A_RX_PACKETS,	/* u64, replies */
	MICE_PAIR_A_RX_BYTES,	/* u64 */
	MICE_PAIR_A_TX_PACKETS,	/* u64 */
	MICE_PAIR_A_TX_BYTES,	/* u64 */
	MICE_PAIR_A_DOWN_CAUSE,	/* u8, enum mice_pair_down_cause, events */
	MICE_PAIR_A_PAD,
	__MICE_PAIR_A_MAX
};
#define MICE_PAIR_A_MAX (__MICE_PAIR_A_MAX - 1)

/* An inner prefix routed to a peer; its inner sources must fall in one. */
enum mice_prefix_attr {
	MICE_PREFIX_A_UNSPEC,
	MICE_PREFIX_A_ADDR,	/* binary, 4 or 16 octets */
	MICE_PREFIX_A_LEN,	/* u8, at most 32 or 128 */
	__MICE_PREFIX_A_MAX
};
#define MICE_PREFIX_A_MAX (__MICE_PREFIX_A_MAX - 1)

enum mice_pair_down_cause {
	MICE_PAIR_DOWN_COMMAND,	/* MICE_CMD_PAIR_DEL */
	MICE_PAIR_DOWN_SOCKET,	/* its socket was detached or closed */
	MICE_PAIR_DOWN_DEVICE,	/* its device was deleted */
	MICE_PAIR_DOWN_NETNS,	/* the namespace or the module went away */
};

/*
 * Media admission (seed 001 s.6.2, RFC 3313; docs/gates.md). A gate is an
 * authorized flow set (classifier) with an envelope (token bucket); it is
 * Authorized when added, Committed once bound to the exact 5-tuple that
 * presented its token, Closed when deleted, idle or expired.
 */
enum mice_gate_state {
	MICE_GATE_AUTHORIZED = 1,
	MICE_GATE_COMMITTED = 2,
	MICE_GATE_CLOSED = 3,
};

enum mice_gate_close_cause {
	MICE_GATE_CLOSE_COMMAND,	/* MICE_CMD_GATE_DEL */
	MICE_GATE_CLOSE_IDLE,		/* committed, no packet for IDLE s */
	MICE_GATE_CLOSE_EXPIRED,	/* authorized, not committed in time */
	MICE_GATE_CLOSE_NETNS,		/* the namespace or the module went away */
};

/* Per-gate drop rows (MICE_GATE_A_DROP, MICE_COUNT_A_ID). */
enum mice_gate_drop {
	MICE_GATE_DROP_RATE,		/* over the token bucket */
	MICE_GATE_DROP_SIZE,		/* above max packet size or burst */
	__MICE_GATE_DROP_MAX
};

enum mice_gate_attr {
	MICE_GATE_A_UNSPEC,
	MICE_GATE_A_ID,		/* u32 >= 1, the GateID (seed 001 s.6.2) */
	MICE_GATE_A_TOKEN,	/* string, 1*HEXDIG, <= MICE_GATE_TOKEN_MAX */
	MICE_GATE_A_CLASSIFIER,	/* nest, enum mice_cls_attr */
	MICE_GATE_A_FLOW,	/* nest, enum mice_flow_attr: the 5-tuple */
	MICE_GATE_A_RATE,	/* u32, octets per second (IP datagrams) */
	MICE_GATE_A_BURST,	/* u32 >= 1, bucket size in octets */
	MICE_GATE_A_MAX_PACKET,	/* u32, largest datagram; 0 = burst only */
	MICE_GATE_A_LIFETIME,	/* u32 s: an uncommitted gate expires */
	MICE_GATE_A_IDLE,	/* u32 s: a committed gate idle this long closes */
	MICE_GATE_A_STATE,	/* u8, enum mice_gate_state */
	MICE_GATE_A_PACKETS,	/* u64, admitted */
	MICE_GATE_A_BYTES,	/* u64, admitted */
	MICE_GATE_A_DROP,	/* nest, multi: enum mice_count_attr rows,
				 * ID = enum mice_gate_drop */
	MICE_GATE_A_CLOSE_CAUSE, /* u8, enum mice_gate_close_cause, events */
	MICE_GATE_A_REASON,	/* u32, enum mice_reason, denied events */
	MICE_GATE_A_LEN,	/* u32, denied events: IP datagram length */
	MICE_GATE_A_VERIFIED,	/* flag: committed by a self-verifying token */
	MICE_GATE_A_REMAINING,	/* u32 s until the lifetime or idle timer */
	MICE_GATE_A_PAD,
	__MICE_GATE_A_MAX
};
#define MICE_GATE_A_MAX (__MICE_GATE_A_MAX - 1)

/* A gate classifier (kmod/gate_match.h); absent attributes mean "any". */
enum mice_cls_attr {
	MICE_CLS_A_UNSPEC,
	MICE_CLS_A_PROTO,	/* u8: 0 any, 6 TCP, 17 UDP */
	MICE_CLS_A_DIR,		/* u8: 0 any, 1 up, 2 down */
	MICE_CLS_A_SRC,		/* nest, enum mice_prefix_attr; host bits 0 */
	MICE_CLS_A_DST,		/* nest, enum mice_prefix_attr */
	MICE_CLS_A_SPORT_LO,	/* u16, host order */
	MICE_CLS_A_SPORT_HI,	/* u16 */
	MICE_CLS_A_DPORT_LO,	/* u16 */
	MICE_CLS_A_DPORT_HI,	/* u16 */
	__MICE_CLS_A_MAX
};
#define MICE_CLS_A_MAX (__MICE_CLS_A_MAX - 1)

/* One flow: the exact 5-tuple a gate is committed to. */
enum mice_flow_attr {
	MICE_FLOW_A_UNSPEC,
	MICE_FLOW_A_PROTO,	/* u8: 6 or 17 */
	MICE_FLOW_A_SRC,	/* binary, 4 or 16 octets */
	MICE_FLOW_A_DST,	/* binary, same length as SRC */
	MICE_FLOW_A_SPORT,	/* be16 */
	MICE_FLOW_A_DPORT,	/* be16 */
	MICE_FLOW_A_DIR,	/* u8, denied events: the direction seen */
	__MICE_FLOW_A_MAX
};
#define MICE_FLOW_A_MAX (__MICE_FLOW_A_MAX - 1)

/* The token key of a namespace: write-only. */
enum mice_key_attr {
	MICE_KEY_A_UNSPEC,
	MICE_KEY_A_SECRET,	/* binary, 16..64 octets */
	__MICE_KEY_A_MAX
};
#define MICE_KEY_A_MAX (__MICE_KEY_A_MAX - 1)

enum mice_admission_mode {
	MICE_MODE_MONITOR = 0,	/* no gate: count and pass */
	MICE_MODE_ENFORCE = 1,	/* no gate: drop */
};

enum mice_mode_attr {
	MICE_MODE_A_UNSPEC,
	MICE_MODE_A_MODE,	/* u8, enum mice_admission_mode */
	MICE_MODE_A_IF,		/* nest, repeated: enum mice_mode_if_attr;
				 * any IF replaces the policed set */
	MICE_MODE_A_IF_FLUSH,	/* flag: police no interface (then IFs) */
	MICE_MODE_A_DATAPATH,	/* u8 0/1: admission on the mice data path */
	MICE_MODE_A_MAX_GATES,	/* u32, 1..MICE_MAX_GATES_LIMIT */
	__MICE_MODE_A_MAX
};
#define MICE_MODE_A_MAX (__MICE_MODE_A_MAX - 1)

/* An interface whose ingress the FORWARD hook polices. */
enum mice_mode_if_attr {
	MICE_MODE_IF_A_UNSPEC,
	MICE_MODE_IF_A_IFINDEX,	/* u32 */
	MICE_MODE_IF_A_DIR,	/* u8: 1 up (default), 2 down */
	__MICE_MODE_IF_A_MAX
};
#define MICE_MODE_IF_A_MAX (__MICE_MODE_IF_A_MAX - 1)

#define MICE_GATE_TOKEN_MAX		512	/* hex digits (agent/sipauth.h) */
#define MICE_MAX_GATES_DEFAULT		1024	/* per netns, MODE_SET changes it */
#define MICE_MAX_GATES_LIMIT		(1 << 20) /* MODE_SET MAX_GATES at most */
#define MICE_MAX_POLICED_IFS		16
#define MICE_GATE_LIFETIME_DEFAULT	120	/* s */
#define MICE_GATE_IDLE_DEFAULT		60	/* s; 0 in GATE_ADD: none */
#define MICE_GATE_TIMER_MAX		86400	/* s, lifetime and idle */

/* Limits, also enforced by the kernel. */
#define MICE_MAX_SOCKETS_PER_NETNS	64
#define MICE_MAX_PEERS_PER_NETNS	(1 << 17)
#define MICE_MAX_PREFIXES_PER_PEER	16
/* Prefixes of all peers of all mice devices of a netns (transmit tries). */
#define MICE_MAX_PREFIXES_PER_NETNS	(1 << 18)

/*
 * The UDP encapsulation type an attached socket shows (getsockopt
 * UDP_ENCAP). Not one of linux/udp.h's UDP_ENCAP_* values, which belong to
 * other protocols (1 is ESP-in-UDP); the core only tests it for non-zero.
 */
#define MICE_UDP_ENCAP_TYPE		0x4d	/* 'M' */

#endif /* _UAPI_LINUX_MICE_H */
