#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Checks that the netlink spec uapi/mice.yaml, the uapi header
uapi/linux/mice.h and the module's netlink policies (kmod/*.c) agree.

Three parts:
 - structure: the spec follows the rules of the kernel's genetlink-c
   schema that matter here (known keys and types, references that resolve);
 - header: every enum value, attribute ID, command ID, constant, family and
   multicast-group name of the spec is in the header with the same value,
   and the header has nothing the spec does not describe;
 - policies: every command of the module's op table has the spec's flags,
   do/dump handlers and request policy; each policy entry has the spec's
   type, byte order, range and length checks, and each nest the spec's
   nested set, recursively; the events group has the spec's permission;
   every attribute the module writes with nla_put_*() (replies and events,
   which no policy describes) is written as the spec's type and byte order.

The C sources are read, not compiled: the policies are written with a
small set of macros (NLA_POLICY_MIN, _MAX, _RANGE, _FULL_RANGE, _NESTED,
_VALIDATE_FN and { .type = ... }), and anything else is reported as a
failure rather than skipped.

Prints one PASS:/FAIL: line per check and "N passed, N failed"; exits 1 if
anything failed. Options: --spec, --header, --kmod to check other copies.
"""
import argparse
import os
import re
import sys

try:
    import yaml
except ImportError:
    print("FAIL: spec-check-needs-python3-yaml (apt-get install python3-yaml)")
    print("0 passed, 1 failed")
    sys.exit(1)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))

passed = 0
failed = 0


def check(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS: {name}")
    else:
        failed += 1
        print(f"FAIL: {name}" + (f": {detail}" if detail else ""))
    return ok


def c_upper(name):
    return name.upper().replace("-", "_")


# ---------------------------------------------------------------- C parsing

def strip_comments(src):
    src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
    return re.sub(r"//[^\n]*", " ", src)


def c_eval(expr, names):
    """Value of a C integer constant expression over known names."""
    expr = expr.strip()
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr)
    for tok in set(re.findall(r"[A-Za-z_]\w*", re.sub(r"\b0[xX][0-9a-fA-F]+", "0", expr))):
        if tok not in names:
            raise ValueError(f"unknown name {tok} in '{expr}'")
    if not re.fullmatch(r"[\w\s()+\-*<>|&~]*", expr):
        raise ValueError(f"unsupported expression '{expr}'")
    return int(eval(expr, {"__builtins__": {}}, dict(names)))


# The limits the kernel's headers define and the policies use.
C_LIMITS = {"INT_MAX": 2**31 - 1, "U8_MAX": 255, "U16_MAX": 65535,
            "U32_MAX": 2**32 - 1, "S32_MAX": 2**31 - 1}


def parse_c_names(src, names):
    """Adds the enums (name -> value) and integer #defines of a header.
    Returns {enum tag: [(member, value), ...]} and {define: text}."""
    defines = {}
    for m in re.finditer(r"^\s*#\s*define\s+(\w+)[ \t]+(.+)$", src, re.M):
        defines[m.group(1)] = strip_comments(m.group(2)).strip()
    body = strip_comments(src)
    enums = {}
    for m in re.finditer(r"\benum\s+(\w+)\s*\{(.*?)\}\s*;", body, re.S):
        tag, members, value = m.group(1), [], -1
        for item in [x.strip() for x in m.group(2).split(",") if x.strip()]:
            mname, _, init = item.partition("=")
            mname = mname.strip()
            value = c_eval(init, names) if init.strip() else value + 1
            names[mname] = value
            members.append((mname, value))
        enums[tag] = members
    pending = dict(defines)
    while pending:		# defines may use each other, in any order
        progress = False
        for k, v in list(pending.items()):
            try:
                names[k] = c_eval(v, names)
            except (ValueError, SyntaxError):
                continue
            del pending[k]
            progress = True
        if not progress:
            break
    return enums, defines


def split_args(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(" :
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


# Validation functions of the module and what they accept: (min, max, what).
VALIDATORS = {
    "mice_nl_validate_addr": ("addr", 4, 16),
    "mice_gate_nl_validate_addr": ("addr", 4, 16),
    "mice_gate_nl_validate_token": ("hexdig", None, None),
}


class Module:
    """The policies, range structs, op table and groups of kmod/*.c."""

    def __init__(self, kmod_dir, names):
        self.policies = {}
        self.ranges = {}
        self.ops = []
        self.mcgrps = []
        self.errors = []
        self.puts = {}		# attribute -> the nla_put_*() that emit it
        self.names = names
        for fn in sorted(os.listdir(kmod_dir)):
            if fn.endswith(".h"):
                with open(os.path.join(kmod_dir, fn)) as f:
                    parse_c_names(f.read(), names)
        for fn in sorted(os.listdir(kmod_dir)):
            if fn.endswith(".c"):
                with open(os.path.join(kmod_dir, fn)) as f:
                    self._parse(fn, strip_comments(f.read()))

    def _parse(self, fn, src):
        for m in re.finditer(r"struct\s+netlink_range_validation\s+(\w+)\s*=\s*\{(.*?)\}\s*;", src, re.S):
            r = dict(re.findall(r"\.(min|max)\s*=\s*([^,}]+)", m.group(2)))
            self.ranges[m.group(1)] = (c_eval(r.get("min", "0"), self.names),
                                       c_eval(r["max"], self.names) if "max" in r else None)
        for m in re.finditer(r"struct\s+nla_policy\s+(\w+)\s*\[[^\]]*\]\s*=\s*\{(.*?)\n\}\s*;", src, re.S):
            entries = {}
            parts = re.split(r"\[\s*(\w+)\s*\]\s*=", m.group(2))
            for i in range(1, len(parts), 2):
                attr = parts[i]
                expr = parts[i + 1].strip().rstrip(",").strip()
                entries[attr] = (self.names.get(attr), self._entry(expr, f"{fn}:{m.group(1)}[{attr}]"))
            self.policies[m.group(1)] = entries
        for m in re.finditer(r"\b(nla_put\w*|nla_nest_start\w*)\s*\(\s*\w+\s*,\s*(MICE_\w+)", src):
            self.puts.setdefault(m.group(2), set()).add(m.group(1))
        m = re.search(r"struct\s+genl_ops\s+\w+\s*\[\s*\]\s*=\s*\{(.*?)\n\}\s*;", src, re.S)
        if m:
            for blk in re.findall(r"\{([^{}]*)\}", m.group(1)):
                op = dict((k, v.strip()) for k, v in re.findall(r"\.(\w+)\s*=\s*([^,]+)", blk))
                self.ops.append(op)
        m = re.search(r"struct\s+genl_multicast_group\s+\w+\s*\[\s*\]\s*=\s*\{(.*?)\n\}\s*;", src, re.S)
        if m:
            for blk in re.findall(r"\{([^{}]*)\}", m.group(1)):
                self.mcgrps.append(dict((k, v.strip()) for k, v in re.findall(r"\.(\w+)\s*=\s*([^,]+)", blk)))

    def _entry(self, expr, where):
        """A policy entry as a dict: type, min, max, minlen, maxlen,
        nested, validator."""
        e = {"type": None, "min": None, "max": None, "maxlen": None,
             "minlen": None, "nested": None, "validator": None, "where": where}
        m = re.fullmatch(r"\{\s*\.type\s*=\s*(NLA_\w+)\s*,?\s*\}", expr)
        if m:
            e["type"] = m.group(1)
            return e
        m = re.fullmatch(r"NLA_POLICY_(\w+)\s*\((.*)\)", expr, re.S)
        if not m:
            self.errors.append(f"{where}: policy entry not understood: {expr}")
            return e
        kind, args = m.group(1), split_args(m.group(2))
        num = lambda x: c_eval(x, self.names)
        if kind == "NESTED":
            e["type"], e["nested"] = "NLA_NESTED", args[0]
        elif kind == "MIN":
            e["type"], e["min"] = args[0], num(args[1])
        elif kind == "MAX":
            e["type"], e["max"] = args[0], num(args[1])
        elif kind == "RANGE":
            e["type"], e["min"], e["max"] = args[0], num(args[1]), num(args[2])
        elif kind == "FULL_RANGE":
            rng = args[1].lstrip("&").strip()
            if rng not in self.ranges:
                self.errors.append(f"{where}: range {rng} not found")
            else:
                e["type"] = args[0]
                e["min"], e["max"] = self.ranges[rng]
        elif kind == "VALIDATE_FN":
            e["type"], e["validator"] = args[0], args[1]
            if len(args) > 2:
                e["maxlen"] = num(args[2])
        else:
            self.errors.append(f"{where}: NLA_POLICY_{kind} not understood")
        # Length bounds of binary attributes are ranges on their length.
        if e["type"] == "NLA_BINARY" and kind in ("MIN", "MAX", "RANGE"):
            e["minlen"], e["maxlen"], e["min"], e["max"] = e["min"], e["max"], None, None
        return e


# ------------------------------------------------------------- the spec side

SCALAR_NLA = {"u8": "NLA_U8", "u16": "NLA_U16", "u32": "NLA_U32",
              "u64": "NLA_U64", "s8": "NLA_S8", "s16": "NLA_S16",
              "s32": "NLA_S32", "s64": "NLA_S64", "flag": "NLA_FLAG",
              "binary": "NLA_BINARY", "nest": "NLA_NESTED",
              "uint": "NLA_UINT", "sint": "NLA_SINT"}


def limit(v, consts):
    """A spec limit: integer, a const's name, or s32-max and the like."""
    if v is None or isinstance(v, int):
        return v
    m = re.fullmatch(r"([su])(8|16|32|64)-(min|max)", v)
    if m:
        bits = int(m.group(2))
        if m.group(1) == "u":
            return 0 if m.group(3) == "min" else 2**bits - 1
        return -(2**(bits - 1)) if m.group(3) == "min" else 2**(bits - 1) - 1
    if v in consts:
        return consts[v]
    raise ValueError(f"unknown limit {v}")


class Spec:
    def __init__(self, doc):
        self.doc = doc
        self.consts = {d["name"]: d["value"] for d in doc.get("definitions", [])
                       if d["type"] == "const"}
        self.sets = {s["name"]: s for s in doc["attribute-sets"]}

    def set_prefix(self, s):
        while "subset-of" in s:
            s = self.sets[s["subset-of"]]
        return s.get("name-prefix", f"{self.doc['name']}-a-{s['name']}-")

    def attrs(self, set_name):
        """[(name, value, merged attribute)] of a set, subsets resolved:
        a subset's attribute takes the full set's and may name another
        nested set (as ovpn.yaml does for per-command inputs)."""
        s = self.sets[set_name]
        if "subset-of" not in s:
            out, value = [], 0
            for a in s["attributes"]:
                value = a.get("value", value + 1)
                out.append((a["name"], value, a))
            return out
        full = {n: (v, a) for n, v, a in self.attrs(s["subset-of"])}
        out = []
        for a in s["attributes"]:
            v, base = full[a["name"]]
            merged = dict(base)
            merged.update(a)
            out.append((a["name"], v, merged))
        return out

    def expected(self, a):
        """The kernel policy entry an attribute of the spec stands for."""
        t, c = a["type"], a.get("checks", {})
        e = {"type": SCALAR_NLA.get(t), "min": None, "max": None,
             "minlen": None, "maxlen": None, "nested": a.get("nested-attributes")}
        if t in ("u16", "u32", "u64") and a.get("byte-order") == "big-endian":
            e["type"] = "NLA_BE" + t[1:]
        if t == "string":
            e["type"] = "NLA_STRING" if c.get("unterminated-ok") else "NLA_NUL_STRING"
        e["min"] = limit(c.get("min"), self.consts)
        e["max"] = limit(c.get("max"), self.consts)
        if "exact-len" in c:
            e["minlen"] = e["maxlen"] = limit(c["exact-len"], self.consts)
        e["minlen"] = limit(c.get("min-len"), self.consts) if e["minlen"] is None else e["minlen"]
        e["maxlen"] = limit(c.get("max-len"), self.consts) if e["maxlen"] is None else e["maxlen"]
        return e


# ------------------------------------------------------- structural checks

TOP_KEYS = {"name", "doc", "protocol", "uapi-header", "c-family-name",
            "c-version-name", "max-by-define", "definitions",
            "attribute-sets", "operations", "mcast-groups"}
DEF_KEYS = {"name", "header", "type", "doc", "value", "value-start",
            "entries", "render-max", "enum-name", "name-prefix"}
SET_KEYS = {"name", "name-prefix", "enum-name", "doc", "subset-of",
            "attr-cnt-name", "attr-max-name", "attributes"}
ATTR_KEYS = {"name", "type", "doc", "value", "byte-order", "multi-attr",
             "nested-attributes", "enum", "enum-as-flags", "checks",
             "sub-type", "display-hint", "name-prefix"}
ATTR_TYPES = {"unused", "pad", "flag", "binary", "bitfield32", "uint",
              "sint", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
              "string", "nest", "indexed-array"}
CHECK_KEYS = {"flags-mask", "min", "max", "min-len", "max-len", "exact-len",
              "unterminated-ok"}
OPS_KEYS = {"enum-model", "name-prefix", "enum-name", "async-prefix",
            "async-enum", "list"}
OP_KEYS = {"name", "doc", "value", "attribute-set", "flags",
           "dont-validate", "config-cond", "do", "dump", "notify", "event",
           "mcgrp"}
SUBOP_KEYS = {"request", "reply", "pre", "post"}
FLAGS = {"admin-perm", "uns-admin-perm"}
DISPLAY_HINTS = {"hex", "mac", "fddi", "ipv4", "ipv6", "uuid"}


def structure(spec):
    doc = spec.doc
    errs = []

    def keys(obj, allowed, where):
        if not isinstance(obj, dict):
            errs.append(f"{where}: not a mapping")
            return
        extra = set(obj) - allowed
        if extra:
            errs.append(f"{where}: unknown keys {sorted(extra)}")

    keys(doc, TOP_KEYS, "top level")
    for k in ("name", "doc", "attribute-sets", "operations"):
        if k not in doc:
            errs.append(f"top level: missing {k}")
    if doc.get("protocol") not in ("genetlink", "genetlink-c"):
        errs.append("protocol: want genetlink-c (C names of an existing uapi)")
    defs = {}
    for d in doc.get("definitions", []):
        keys(d, DEF_KEYS, f"definition {d.get('name')}")
        if d.get("type") not in ("const", "enum", "flags"):
            errs.append(f"definition {d.get('name')}: type {d.get('type')}")
        defs[d["name"]] = d
    for s in doc["attribute-sets"]:
        where = f"attribute-set {s.get('name')}"
        keys(s, SET_KEYS, where)
        if "subset-of" in s and "name-prefix" in s:
            errs.append(f"{where}: a subset takes its parent's name-prefix")
        if "subset-of" in s and s["subset-of"] not in spec.sets:
            errs.append(f"{where}: subset of unknown set {s['subset-of']}")
            continue
        parent = ({a["name"] for a in spec.sets[s["subset-of"]]["attributes"]}
                  if "subset-of" in s else None)
        for a in s.get("attributes", []):
            aw = f"{where}.{a.get('name')}"
            keys(a, ATTR_KEYS, aw)
            if parent is not None:
                if a["name"] not in parent:
                    errs.append(f"{aw}: not in {s['subset-of']}")
            elif a.get("type") not in ATTR_TYPES:
                errs.append(f"{aw}: type {a.get('type')}")
            if "checks" in a:
                keys(a["checks"], CHECK_KEYS, f"{aw}.checks")
                for ck in ("min", "max", "min-len", "max-len", "exact-len"):
                    if ck in a["checks"]:
                        try:
                            limit(a["checks"][ck], spec.consts)
                        except ValueError as ex:
                            errs.append(f"{aw}.checks.{ck}: {ex}")
            if "nested-attributes" in a and a["nested-attributes"] not in spec.sets:
                errs.append(f"{aw}: nested set {a['nested-attributes']} unknown")
            if a.get("type") == "nest" and "nested-attributes" not in a:
                errs.append(f"{aw}: nest without nested-attributes")
            if "enum" in a and defs.get(a["enum"], {}).get("type") not in ("enum", "flags"):
                errs.append(f"{aw}: enum {a['enum']} unknown")
            if a.get("byte-order") not in (None, "big-endian", "little-endian"):
                errs.append(f"{aw}: byte-order {a['byte-order']}")
            if "display-hint" in a and a["display-hint"] not in DISPLAY_HINTS:
                errs.append(f"{aw}: display-hint {a['display-hint']}")
    ops = doc["operations"]
    keys(ops, OPS_KEYS, "operations")
    groups = {g["name"] for g in doc.get("mcast-groups", {}).get("list", [])}
    for g in doc.get("mcast-groups", {}).get("list", []):
        keys(g, {"name", "c-define-name", "flags"}, f"mcast group {g.get('name')}")
        if not set(g.get("flags", [])) <= FLAGS:
            errs.append(f"mcast group {g['name']}: flags {g['flags']}")
    for op in ops["list"]:
        where = f"operation {op.get('name')}"
        keys(op, OP_KEYS, where)
        for k in ("name", "doc"):
            if k not in op:
                errs.append(f"{where}: missing {k}")
        if not set(op.get("flags", [])) <= FLAGS:
            errs.append(f"{where}: flags {op['flags']}")
        aset = op.get("attribute-set")
        if aset is not None and aset not in spec.sets:
            errs.append(f"{where}: attribute-set {aset} unknown")
            continue
        names = {n for n, _, _ in spec.attrs(aset)} if aset else set()
        for sub in ("do", "dump"):
            if sub not in op:
                continue
            keys(op[sub], SUBOP_KEYS, f"{where}.{sub}")
            for part in ("request", "reply"):
                for n in op[sub].get(part, {}).get("attributes", []):
                    if n not in names:
                        errs.append(f"{where}.{sub}.{part}: {n} not in {aset}")
        for n in op.get("event", {}).get("attributes", []):
            if n not in names:
                errs.append(f"{where}.event: {n} not in {aset}")
        if "mcgrp" in op and op["mcgrp"] not in groups:
            errs.append(f"{where}: mcgrp {op['mcgrp']} unknown")
        if ("event" in op or "notify" in op) != ("mcgrp" in op):
            errs.append(f"{where}: an event needs an mcgrp and only events have one")
    return check(not errs, "spec-follows-the-genetlink-c-schema", "; ".join(errs))


# -------------------------------------------------------- header checks

def header_checks(spec, enums, defines, names):
    doc = spec.doc
    fam = c_upper(doc.get("c-family-name", f"{doc['name']}-family-name"))
    ver = c_upper(doc.get("c-version-name", f"{doc['name']}-family-version"))
    check(defines.get(fam) == f'"{doc["name"]}"', f"header-family-name-{fam}",
          f"header has {defines.get(fam)}")
    check(names.get(ver) == doc.get("version", 1), f"header-family-version-{ver}",
          f"header has {defines.get(ver)}")
    covered = {fam, ver}
    pfx = c_upper(doc["name"])
    for g in doc.get("mcast-groups", {}).get("list", []):
        d = c_upper(g.get("c-define-name", f"{doc['name']}-mcgrp-{g['name']}"))
        covered.add(d)
        check(defines.get(d) == f'"{g["name"]}"', f"header-mcast-group-{d}",
              f"header has {defines.get(d)}")
    described = set()

    def compare_enum(tag, want, where, max_names=None):
        described.add(tag)
        have = enums.get(tag)
        if have is None:
            check(False, f"header-{where}", f"enum {tag} missing")
            return
        have = [(n, v) for n, v in have if not n.startswith("__")]
        check(have == want, f"header-{where}",
              f"spec {want} != header {have}" if len(want) < 6 else
              "differ at " + str(next(((w, h) for w, h in zip(want + [None] * 99, have + [None] * 99) if w != h), None)))
        for mx in max_names or []:
            covered.add(mx)
            if mx in names:
                check(names[mx] == want[-1][1], f"header-{mx}",
                      f"{names[mx]} != last value {want[-1][1]}")

    for d in doc.get("definitions", []):
        if d["type"] == "const":
            n = c_upper(f"{doc['name']}-{d['name']}")
            covered.add(n)
            check(names.get(n) == limit(d["value"], {}), f"header-const-{n}",
                  f"header has {names.get(n)}, spec {d['value']}")
            continue
        prefix = c_upper(d.get("name-prefix", f"{doc['name']}-{d['name']}-"))
        tag = d.get("enum-name", f"{doc['name']}_{d['name']}".replace("-", "_"))
        value, want = d.get("value-start", 0) - 1, []
        for ent in d["entries"]:
            ent = ent if isinstance(ent, dict) else {"name": ent}
            value = ent.get("value", value + 1)
            want.append((prefix + c_upper(ent["name"]), value))
        maxes = [prefix + "MAX"] if d.get("render-max") else []
        if d.get("render-max") and "__" + prefix + "MAX" not in names:
            check(False, f"header-enum-{tag}-count", f"__{prefix}MAX missing")
        compare_enum(tag, want, f"enum-{tag}", maxes)
    for s in doc["attribute-sets"]:
        if "subset-of" in s:
            continue
        prefix = c_upper(spec.set_prefix(s))
        tag = s.get("enum-name", f"{doc['name']}_{s['name']}_attrs".replace("-", "_"))
        want = [(prefix + "UNSPEC", 0)] + [(prefix + c_upper(n), v) for n, v, _ in spec.attrs(s["name"])]
        compare_enum(tag, want, f"attribute-set-{s['name']}", [prefix + "MAX"])
    ops = doc["operations"]
    prefix = c_upper(ops.get("name-prefix", f"{doc['name']}-cmd-"))
    tag = ops.get("enum-name", f"{doc['name']}_cmd")
    want, value = [(prefix + "UNSPEC", 0)], 0
    for op in ops["list"]:
        value = op.get("value", value + 1)
        want.append((prefix + c_upper(op["name"]), value))
    compare_enum(tag, want, "operations", [prefix + "MAX"])
    extra = sorted(set(enums) - described)
    check(not extra, "header-has-no-enum-the-spec-omits", f"{extra}")
    extra = sorted(d for d in defines if d.startswith(pfx + "_") and d not in covered
                   and not d.startswith("_"))
    check(not extra, "header-has-no-define-the-spec-omits", f"{extra}")


# -------------------------------------------------------- policy checks

def compare_policy(spec, mod, set_name, policy_name, where, seen):
    """The module's policy policy_name accepts exactly the attributes of
    spec set set_name, each as the spec describes it."""
    pol = mod.policies.get(policy_name)
    if pol is None:
        check(False, f"policy-{where}", f"policy {policy_name} not found")
        return
    key = (set_name, policy_name)
    if key in seen:
        return
    seen.add(key)
    want = {n: (v, a) for n, v, a in spec.attrs(set_name)}
    prefix = c_upper(spec.set_prefix(spec.sets[set_name]))
    have = {}
    for cname, (cval, ent) in pol.items():
        if not cname.startswith(prefix):
            check(False, f"policy-{where}", f"{cname} is not an attribute of {set_name}")
            continue
        have[cname[len(prefix):].lower().replace("_", "-")] = (cval, ent)
    missing = sorted(set(want) - set(have))
    extra = sorted(set(have) - set(want))
    check(not missing and not extra, f"policy-{where}-accepts-the-spec-attributes",
          f"spec only: {missing}, module only: {extra} ({policy_name})")
    for n in sorted(set(want) & set(have)):
        v, a = want[n]
        cval, ent = have[n]
        exp = spec.expected(a)
        diffs = []
        if cval != v:
            diffs.append(f"id {cval} != {v}")
        if ent["type"] != exp["type"]:
            diffs.append(f"type {ent['type']} != {exp['type']}")
        lo, hi = ent["min"], ent["max"]
        elo, ehi = exp["min"], exp["max"]
        # An unsigned minimum of 0 is no bound.
        if (lo or None) != (elo or None) or hi != ehi:
            diffs.append(f"range [{lo}, {hi}] != spec [{elo}, {ehi}]")
        minlen, maxlen = ent["minlen"], ent["maxlen"]
        if ent["validator"]:
            kind, vmin, vmax = VALIDATORS.get(ent["validator"], (None, None, None))
            if kind is None:
                diffs.append(f"validator {ent['validator']} unknown to this check")
            elif kind == "addr":
                minlen = vmin
                maxlen = min(x for x in (maxlen, vmax) if x is not None)
                if "4 (IPv4) or 16 (IPv6)" not in a.get("doc", "") and \
                   "same length as" not in a.get("doc", ""):
                    diffs.append("doc must say 4 (IPv4) or 16 (IPv6) octets")
            elif kind == "hexdig" and "HEXDIG" not in a.get("doc", ""):
                diffs.append("doc must say 1*HEXDIG")
        if exp["type"] in ("NLA_BINARY", "NLA_NUL_STRING", "NLA_STRING"):
            if (minlen or None) != (exp["minlen"] or None) or maxlen != exp["maxlen"]:
                diffs.append(f"length [{minlen}, {maxlen}] != spec [{exp['minlen']}, {exp['maxlen']}]")
        if (ent["nested"] is None) != (exp["nested"] is None):
            diffs.append(f"nested {ent['nested']} vs spec {exp['nested']}")
        check(not diffs, f"policy-{where}-{n}", "; ".join(diffs) + f" ({ent['where']})")
        if ent["nested"] and exp["nested"]:
            compare_policy(spec, mod, exp["nested"], ent["nested"], f"{where}-{n}", seen)


def policy_checks(spec, mod, names):
    for e in mod.errors:
        check(False, "module-policy-parsed", e)
    doc = spec.doc
    cmd_prefix = c_upper(doc["operations"].get("name-prefix", f"{doc['name']}-cmd-"))
    table = {o.get("cmd"): o for o in mod.ops}
    check(len(table) == len(mod.ops) and mod.ops, "module-op-table-found-once-per-command",
          f"{len(mod.ops)} entries, {len(table)} commands")
    perm = {"GENL_ADMIN_PERM": "admin-perm", "GENL_UNS_ADMIN_PERM": "uns-admin-perm"}
    seen = set()
    spec_cmds = set()
    for op in doc["operations"]["list"]:
        cmd = cmd_prefix + c_upper(op["name"])
        spec_cmds.add(cmd)
        kop = table.get(cmd)
        if "event" in op or "notify" in op:
            check(kop is None, f"op-{op['name']}-is-an-event-only", "module has a handler")
            continue
        if kop is None:
            check(False, f"op-{op['name']}", f"{cmd} not in the module's op table")
            continue
        kflags = sorted(perm.get(f.strip(), f.strip()) for f in kop.get("flags", "").split("|") if f.strip())
        check(kflags == sorted(op.get("flags", [])), f"op-{op['name']}-flags",
              f"module {kflags}, spec {op.get('flags', [])}")
        check(("doit" in kop) == ("do" in op) and ("dumpit" in kop) == ("dump" in op),
              f"op-{op['name']}-do-and-dump",
              f"module doit={'doit' in kop} dumpit={'dumpit' in kop}")
        req = op.get("do", {}).get("request", {}).get("attributes", [])
        if "policy" not in kop:
            check(not req, f"op-{op['name']}-takes-no-attribute",
                  f"module has no policy, spec requests {req}")
            continue
        aset = op["attribute-set"]
        full = {n: (v, a) for n, v, a in spec.attrs(aset)}
        sub = {n: full[n] for n in req}
        pol = mod.policies.get(kop["policy"], {})
        top_prefix = c_upper(spec.set_prefix(spec.sets[aset]))
        have = {c[len(top_prefix):].lower().replace("_", "-"): e for c, e in pol.items()}
        check(sorted(have) == sorted(sub), f"op-{op['name']}-request-attributes",
              f"module {sorted(have)}, spec {sorted(sub)}")
        maxattr = kop.get("maxattr")
        check(maxattr is not None and names.get(maxattr) == max(v for v, _ in sub.values()),
              f"op-{op['name']}-maxattr", f"{maxattr}")
        for n in sorted(set(have) & set(sub)):
            cval, ent = have[n]
            v, a = sub[n]
            exp = spec.expected(a)
            ok = cval == v and ent["type"] == exp["type"] == "NLA_NESTED"
            check(ok, f"op-{op['name']}-{n}-is-a-nest", f"{ent['type']} ({ent['where']})")
            if ok:
                # A full set in a GET's request: the module may accept a
                # part of it only (the spec names that part in the doc).
                nested = exp["nested"]
                if "subset-of" not in spec.sets[aset]:
                    kpol = mod.policies.get(ent["nested"], {})
                    nprefix = c_upper(spec.set_prefix(spec.sets[nested]))
                    knames = sorted(c[len(nprefix):].lower().replace("_", "-") for c in kpol)
                    check(set(knames) <= {x for x, _, _ in spec.attrs(nested)},
                          f"op-{op['name']}-{n}-accepts-spec-attributes-only", f"{knames}")
                    if knames != sorted(x for x, _, _ in spec.attrs(nested)):
                        ref = f"{' '.join(knames)}"
                        check(all(k in op.get("doc", "") for k in knames),
                              f"op-{op['name']}-doc-names-the-accepted-part", f"doc must name {ref}")
                    # Each accepted attribute as the full set describes it.
                    tmp = f"{op['name']}-accepted"
                    spec.sets[tmp] = {"name": tmp, "subset-of": nested,
                                      "attributes": [{"name": k} for k in knames]}
                    compare_policy(spec, mod, tmp, ent["nested"], f"{op['name']}-{n}", seen)
                    del spec.sets[tmp]
                else:
                    compare_policy(spec, mod, nested, ent["nested"], f"{op['name']}-{n}", seen)
    extra = sorted(set(table) - spec_cmds)
    check(not extra, "module-has-no-command-the-spec-omits", f"{extra}")
    mflags = {"GENL_MCAST_CAP_NET_ADMIN": "uns-admin-perm",
              "GENL_MCAST_CAP_SYS_ADMIN": "cap-sys-admin"}
    groups = {g.get("name"): g for g in mod.mcgrps}
    for g in doc.get("mcast-groups", {}).get("list", []):
        d = c_upper(g.get("c-define-name", f"{doc['name']}-mcgrp-{g['name']}"))
        kg = groups.get(d)
        if not check(kg is not None, f"mcast-group-{g['name']}-registered", f"no group named {d}"):
            continue
        kf = sorted(mflags.get(f.strip(), f.strip()) for f in kg.get("flags", "").split("|") if f.strip())
        check(kf == sorted(g.get("flags", [])), f"mcast-group-{g['name']}-flags",
              f"module {kf}, spec {g.get('flags', [])}")
    check(len(groups) == len(doc.get("mcast-groups", {}).get("list", [])),
          "module-has-no-group-the-spec-omits", f"{sorted(groups)}")


# What each attribute type of the spec is written with in the module.
PUTS = {"u8": {"nla_put_u8"}, "u16": {"nla_put_u16"}, "be-u16": {"nla_put_be16"},
        "u32": {"nla_put_u32"}, "be-u32": {"nla_put_be32", "nla_put_in_addr"},
        "u64": {"nla_put_u64_64bit", "nla_put_uint"},
        "flag": {"nla_put_flag"}, "string": {"nla_put_string"},
        "binary": {"nla_put", "nla_put_in_addr", "nla_put_in6_addr"},
        "nest": {"nla_nest_start", "nla_nest_start_noflag"}}


def put_checks(spec, mod):
    """Attributes the module only sends (replies, events) have no policy:
    the nla_put_*() that emits each must still match the spec's type and
    byte order, so that a tool driven by the spec decodes them right."""
    for s in spec.doc["attribute-sets"]:
        if "subset-of" in s:
            continue
        prefix = c_upper(spec.set_prefix(s))
        for n, _, a in spec.attrs(s["name"]):
            if a["type"] == "pad":
                continue
            cname = prefix + c_upper(n)
            kinds = mod.puts.get(cname)
            if not kinds:
                continue	# written through a helper taking the type
            key = ("be-" if a.get("byte-order") == "big-endian" else "") + a["type"]
            bad = kinds - PUTS.get(key, set())
            check(not bad, f"module-writes-{s['name']}-{n}-as-the-spec-type",
                  f"{cname} written with {sorted(bad)}, spec {key}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=os.path.join(ROOT, "uapi", "mice.yaml"))
    ap.add_argument("--header", default=os.path.join(ROOT, "uapi", "linux", "mice.h"))
    ap.add_argument("--kmod", default=os.path.join(ROOT, "kmod"))
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = Spec(yaml.safe_load(f))
    if not structure(spec):
        # The other checks assume references that resolve.
        print(f"{passed} passed, {failed} failed")
        return 1
    names = dict(C_LIMITS)
    with open(args.header) as f:
        src = f.read()
    enums, defines = parse_c_names(src, names)
    header_checks(spec, enums, defines, names)
    mod = Module(args.kmod, names)
    policy_checks(spec, mod, names)
    put_checks(spec, mod)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
