#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A generic-netlink client for the mice family whose every message layout
comes from the netlink spec uapi/mice.yaml, through pyroute2 (Debian's
python3-pyroute2): no attribute number, type or command ID is written here.
It shows that the spec is enough for a tool that does not know the family to
talk to the module. Run as root with the module loaded (tests/vm/
test_spec_client.sh does so in the VM); prints PASS:/FAIL: lines and
"N passed, N failed".
"""
import errno
import os
import select
import socket
import struct
import sys

import yaml
from pyroute2.netlink import (NLA_F_NESTED, NLM_F_ACK, NLM_F_DUMP,
                              NLM_F_REQUEST, genlmsg, nla)
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.generic import GenericNetlinkSocket

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC = os.path.join(ROOT, "uapi", "mice.yaml")

# Spec attribute types as pyroute2 NLA types.
SCALARS = {"u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
           "s8": "int8", "s16": "int16", "s32": "int32", "s64": "int64",
           "flag": "flag", "binary": "cdata", "string": "asciiz",
           "pad": "hex", "unused": "none"}

passed = failed = 0


def check(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS: {name}")
    else:
        failed += 1
        print(f"FAIL: {name}" + (f": {detail}" if detail else ""))
    return ok


def up(s):
    return s.upper().replace("-", "_")


class Family:
    """The spec turned into pyroute2 message classes and lookup tables."""

    def __init__(self, path):
        with open(path) as f:
            self.doc = yaml.safe_load(f)
        self.sets = {s["name"]: s for s in self.doc["attribute-sets"]}
        self.classes = {}
        self.enums = {}
        for d in self.doc.get("definitions", []):
            if d["type"] == "enum":
                ents = [e if isinstance(e, dict) else {"name": e} for e in d["entries"]]
                self.enums[d["name"]] = [e["name"] for e in ents]
        pfx = up(self.doc["operations"].get("name-prefix", f"{self.doc['name']}-cmd-"))
        self.cmds, value = {}, 0
        for op in self.doc["operations"]["list"]:
            value = op.get("value", value + 1)
            self.cmds[op["name"]] = value
        self.cmd_names = {v: pfx + up(k) for k, v in self.cmds.items()}
        self.msg = self.nla_class("mice", genlmsg)

    def full(self, name):
        s = self.sets[name]
        return self.full(s["subset-of"]) if "subset-of" in s else s

    def prefix(self, name):
        s = self.full(name)
        return up(s.get("name-prefix", f"{self.doc['name']}-a-{s['name']}-"))

    def attr(self, set_name, attr):
        """C name of an attribute, as pyroute2 shows it."""
        return self.prefix(set_name) + up(attr)

    def nla_class(self, set_name, base=nla):
        """A pyroute2 class for one (full) attribute set; nests become
        nested classes, with NLA_F_NESTED as strict validation wants."""
        key = (set_name, base)
        if key in self.classes:
            return self.classes[key]
        s = self.full(set_name)
        prefix = self.prefix(set_name)
        nla_map, nested, value = [], {}, 0
        for a in s["attributes"]:
            value = a.get("value", value + 1)
            t = a["type"]
            if t == "nest":
                cname = "nest_" + a["nested-attributes"].replace("-", "_")
                nested[cname] = self.nla_class(a["nested-attributes"])
                pyt = cname
            elif t in ("u16", "u32", "u64") and a.get("byte-order") == "big-endian":
                pyt = "be" + t[1:]
            else:
                pyt = SCALARS[t]
            nla_map.append((value, prefix + up(a["name"]), pyt))
        body = {"nla_map": tuple(nla_map), **nested}
        if base is nla:
            body["nla_flags"] = NLA_F_NESTED
        cls = type("spec_" + set_name.replace("-", "_"), (base,), body)
        self.classes[key] = cls
        return cls


class Client:
    def __init__(self, fam):
        self.fam = fam
        self.sock = GenericNetlinkSocket()
        self.sock.bind(fam.doc["name"], fam.msg)

    def request(self, op, attrs=None, dump=False):
        msg = self.fam.msg()
        msg["cmd"] = self.fam.cmds[op]
        msg["version"] = self.fam.doc.get("version", 1)
        msg["attrs"] = attrs or []
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        return self.sock.nlm_request(msg, msg_type=self.sock.prid,
                                     msg_flags=flags)


def nest(fam, set_name, top, **kv):
    """[[TOP, {'attrs': [[NAME, value], ...]}]] from spec names."""
    return [[fam.attr("mice", top),
             {"attrs": [[fam.attr(set_name, k.replace("_", "-")), v]
                        for k, v in kv.items()]}]]


def main():
    fam = Family(SPEC)
    try:
        cl = Client(fam)
    except Exception as ex:		# noqa: BLE001 - the reason is the report
        check(False, "family-resolved-by-the-spec-name", str(ex))
        return 1
    check(True, "family-resolved-by-the-spec-name")
    check(set(cl.sock.mcast_groups) ==
          {g["name"] for g in fam.doc["mcast-groups"]["list"]},
          "multicast-groups-are-the-spec-ones", f"{cl.sock.mcast_groups}")

    # stats-get: every class and every reason of the spec has its row.
    A = lambda s, n: fam.attr(s, n)
    rep = cl.request("stats-get")
    st = rep[0].get_attr(A("mice", "stats"))
    classes = [r.get_attr(A("count", "id")) for r in st.get_attrs(A("stats", "class"))]
    reasons = [r.get_attr(A("count", "id")) for r in st.get_attrs(A("stats", "drop"))]
    check(rep[0]["cmd"] == fam.cmds["stats-get"] and
          classes == list(range(len(fam.enums["class"]))) and
          reasons == list(range(len(fam.enums["reason"]))),
          "stats-get-reply-decodes-with-a-row-per-spec-class-and-reason",
          f"classes {classes}, reasons {reasons}")

    # sock-attach of a bound IPv4 UDP socket, through the spec's layout.
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    rep = cl.request("sock-attach", nest(fam, "sock", "sock", fd=u.fileno()))
    sk = rep[0].get_attr(A("mice", "sock"))
    sid = sk.get_attr(A("sock", "id"))
    check(sid and sid >= 1 and sk.get_attr(A("sock", "port")) == port and
          sk.get_attr(A("sock", "addr")) == socket.inet_aton("127.0.0.1") and
          sk.get_attr(A("sock", "family")) == socket.AF_INET,
          "sock-attach-built-from-the-spec-attaches-and-the-reply-decodes",
          f"id {sid} port {sk.get_attr(A('sock', 'port'))}/{port} "
          f"addr {sk.get_attr(A('sock', 'addr'))}")

    ids = [m.get_attr(A("mice", "sock")).get_attr(A("sock", "id"))
           for m in cl.request("sock-get", dump=True)]
    check(sid in ids, "sock-get-dump-lists-the-attached-socket", f"{ids}")

    # The spec says sock-get's request nest carries only the id.
    try:
        cl.request("sock-get", nest(fam, "sock", "sock", id=sid, fd=u.fileno()))
        check(False, "sock-get-with-an-fd-is-refused-as-the-spec-says", "accepted")
    except NetlinkError as ex:
        check(ex.code == errno.EINVAL,
              "sock-get-with-an-fd-is-refused-as-the-spec-says", f"{ex}")

    for op in ("pair-get", "gate-get"):
        try:
            cl.request(op, dump=True)
            check(True, f"{op}-dump-built-from-the-spec-is-accepted")
        except NetlinkError as ex:
            check(False, f"{op}-dump-built-from-the-spec-is-accepted", f"{ex}")

    # Events: join the spec's group, detach, read the sock-detached event.
    ev = GenericNetlinkSocket()
    ev.bind(fam.doc["name"], fam.msg)
    ev.add_membership("events")
    cl.request("sock-detach", nest(fam, "sock", "sock", id=sid))
    got = None
    while got is None and select.select([ev], [], [], 5)[0]:
        for m in ev.get():
            if m["cmd"] == fam.cmds["sock-detached"]:
                got = m.get_attr(A("mice", "sock"))
    cause = got.get_attr(A("sock", "detach-cause")) if got else None
    check(got is not None and got.get_attr(A("sock", "id")) == sid and
          cause == fam.enums["detach-cause"].index("command"),
          "sock-detached-event-decodes-with-the-spec-cause",
          f"event {got is not None}, cause {cause}")
    try:
        cl.request("sock-get", nest(fam, "sock", "sock", id=sid))
        check(False, "detached-socket-is-gone", "still found")
    except NetlinkError as ex:
        check(ex.code == errno.ENOENT, "detached-socket-is-gone", f"{ex}")
    ev.close()
    cl.sock.close()
    u.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
