#!/usr/bin/env python3
"""Turn a botocore service model into typed C++ structs with decode/encode.

Usage: gen_shapes.py SERVICE API_VERSION OUTPUT_DIR NAMESPACE [--operations=A,B] [--roundtrip]
  e.g. gen_shapes.py cloudwatch 2010-08-01 build/gen/runnel_cloudwatch runnel::cloudwatch::api

Writes OUTPUT_DIR/SERVICE_shapes.h and OUTPUT_DIR/SERVICE_shapes.cc (SERVICE
with non-identifier characters as '_'): in NAMESPACE, a struct per structure
shape reachable from the operations' inputs, outputs and errors, and

  [[nodiscard]] protocol::ApiResult<void> decode(const protocol::Value&, T&);
  protocol::Value encode(const T&);

for each. --operations limits the roots to those operations (a service that
serves a few of its model's operations compiles only their shapes; an
unknown name is an error). docs/typed-shapes.md describes the type mapping. With --roundtrip
it also writes SERVICE_shapes_roundtrip.{h,cc}: a table from shape name to
"decode, then encode" for tests. The model is found as gen_model.py finds it
(RUNNEL_BOTOCORE_DATA overrides). Outputs are written atomically.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model  # noqa: E402  (load_model, cxx_str, ident)

CXX_KEYWORDS = set("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class
compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline
int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public register
reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch template
this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t
while xor xor_eq
std
""".split())  # and `std`: a member named so would hide the namespace in later members' types

V = "::runnel::protocol::Value"

SCALAR_TYPES = {
    "string": "std::string",
    "boolean": "bool",
    "integer": "int32_t",
    "long": "int64_t",
    "float": "double",
    "double": "double",
    "blob": "::runnel::protocol::Blob",
    "timestamp": "::runnel::protocol::Timestamp",
}
# Default member initialisers for required scalars (so a struct is never
# read uninitialised).
SCALAR_INIT = {"boolean": " = false", "integer": " = 0", "long": " = 0", "float": " = 0", "double": " = 0"}


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    if not s or s[0].isdigit():
        s = "m_" + s
    if s in CXX_KEYWORDS:
        s += "_"
    return s


def type_ident(name):
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if s[0].isdigit() or s in CXX_KEYWORDS:
        s = "S" + s
    return s


def enum_constant(value):
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
    out = []
    for p in parts:
        out.append(p.capitalize() if p.isupper() else p[0].upper() + p[1:])
    return "k" + ("".join(out) or "Empty")


class Generator:
    def __init__(self, service, version, model, digest, namespace, operations=None):
        self.operations = operations or sorted(model["operations"])
        self.service = service
        self.version = version
        self.shapes = model["shapes"]
        self.model = model
        self.digest = digest
        self.namespace = namespace
        self.id = gen_model.ident(service)
        self.reachable = self.reach()
        self.structs = [n for n in self.reachable if self.shapes[n]["type"] == "structure"]
        self.containers = [n for n in self.reachable if self.shapes[n]["type"] in ("list", "map")]
        self.enums = [n for n in self.reachable
                      if self.shapes[n]["type"] == "string" and self.shapes[n].get("enum")]
        self.boxed = set()  # (struct, member) pairs held through std::unique_ptr
        self.order = self.struct_order()

    def reach(self):
        roots = []
        for op_name in self.operations:
            op = self.model["operations"][op_name]
            for key in ("input", "output"):
                if key in op:
                    roots.append(op[key]["shape"])
            roots.extend(e["shape"] for e in op.get("errors", []))
        seen = set()
        stack = list(roots)
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            s = self.shapes[n]
            if s["type"] == "structure":
                stack.extend(m["shape"] for m in s.get("members", {}).values())
            elif s["type"] == "list":
                stack.append(s["member"]["shape"])
            elif s["type"] == "map":
                stack.extend([s["key"]["shape"], s["value"]["shape"]])
        return sorted(seen)

    def struct_deps(self, name):
        """(member, struct, direct) for each structure reachable from name's members."""
        out = []
        for mname, m in self.shapes[name].get("members", {}).items():
            target, direct = m["shape"], True
            while self.shapes[target]["type"] in ("list", "map"):
                s = self.shapes[target]
                target = s["member"]["shape"] if s["type"] == "list" else s["value"]["shape"]
                direct = False
            if self.shapes[target]["type"] == "structure":
                out.append((mname, target, direct))
        return out

    def struct_order(self):
        """Structs in an order where each follows the ones it holds by value;
        a member that closes a cycle directly is boxed (std::unique_ptr)."""
        state, order = {}, []

        def visit(n):
            state[n] = "open"
            for mname, dep, direct in self.struct_deps(n):
                st = state.get(dep)
                if st is None:
                    visit(dep)
                elif st == "open" and direct:
                    self.boxed.add((n, mname))
            state[n] = "done"
            order.append(n)

        for n in self.structs:
            if n not in state:
                visit(n)
        return order

    # --- C++ types -------------------------------------------------------
    def cxx_type(self, name):
        s = self.shapes[name]
        t = s["type"]
        if t == "structure":
            return type_ident(name)
        if t == "list":
            return "std::vector<%s>" % self.cxx_type(s["member"]["shape"])
        if t == "map":
            return "std::vector<std::pair<std::string, %s>>" % self.cxx_type(s["value"]["shape"])
        if t in SCALAR_TYPES:
            return SCALAR_TYPES[t]
        return V  # a document: passed through as a Value

    def member_cxx(self, struct, mname, m, required):
        shape = m["shape"]
        t = self.cxx_type(shape)
        if (struct, mname) in self.boxed:
            return "std::unique_ptr<%s>" % t, ""
        if required:
            return t, SCALAR_INIT.get(self.shapes[shape]["type"], "")
        return "std::optional<%s>" % t, ""

    def members(self, struct):
        s = self.shapes[struct]
        required = set(s.get("required", []))
        names, out = set(), []
        for mname, m in s.get("members", {}).items():
            field = snake(mname)
            while field in names:
                field += "_"
            names.add(field)
            out.append((mname, m, field, mname in required))
        return out

    # --- code for one value ----------------------------------------------
    def dec_call(self, shape, src, dst):
        if self.shapes[shape]["type"] in ("structure", "list", "map"):
            return "dec_%s(%s, %s, f)" % (type_ident(shape), src, dst)
        return "sc::read(%s, %s, f)" % (src, dst)

    def enc_stmt(self, shape, src, slot):
        if self.shapes[shape]["type"] in ("structure", "list", "map"):
            return "enc_%s(%s, %s);" % (type_ident(shape), src, slot)
        return "sc::write(%s, %s);" % (slot, src)

    # --- header ----------------------------------------------------------
    def header(self):
        out = []
        w = out.append
        w("#pragma once")
        w("// Generated by tools/gen_shapes.py from botocore's %s %s (sha256 %s). Do not edit."
          % (self.service, self.version, self.digest[:16]))
        w("// The model's shapes reachable from its operations as C++ structs, with")
        w("// decode() from a validated protocol::Value and encode() back to one")
        w("// (docs/typed-shapes.md). Plain data: safe to move between threads.")
        w("")
        for inc in ("cstdint", "memory", "optional", "string", "string_view", "utility", "vector"):
            w("#include <%s>" % inc)
        w("")
        w('#include "protocol/api_error.h"')
        w('#include "protocol/value.h"')
        w("")
        w("namespace %s {" % self.namespace)
        w("")
        for n in self.order:
            w("struct %s;" % type_ident(n))
        w("")
        for n in self.enums:
            w("// The values of %s (members of this enum are std::string)." % n)
            w("struct %s {" % type_ident(n))
            used = set()
            for v in self.shapes[n]["enum"]:
                c = enum_constant(v)
                while c in used:
                    c += "_"
                used.add(c)
                w("  static constexpr std::string_view %s = %s;" % (c, gen_model.cxx_str(v)))
            w("};")
        if self.enums:
            w("")
        for n in self.order:
            s = self.shapes[n]
            kind = "error shape" if s.get("exception") else (
                "event stream" if s.get("eventstream") else "structure")
            w("// %s (%s)." % (n, kind))
            w("struct %s {" % type_ident(n))
            w("  static constexpr std::string_view kShapeName = %s;" % gen_model.cxx_str(n))
            for mname, m, field, required in self.members(n):
                t, init = self.member_cxx(n, mname, m, required)
                w("  %s %s%s;  // %s%s" % (t, field, init, mname, ", required" if required else ""))
            w("};")
            w("")
        w("// decode(): `value` into `out`, replacing what it held; from an rvalue")
        w("// it moves strings and blobs out instead of copying them. Total: a")
        w("// validated input always decodes; anything else (a member of the wrong")
        w("// kind, a missing required member) is a SerializationException naming")
        w("// the member's path, never a crash. Members the shape lacks are ignored;")
        w("// a null member is absent; a null list item or map value decodes as a")
        w("// value-initialised element (the validator refuses those anyway).")
        w("// encode(): the structure as a Value, members in the model's order,")
        w("// absent optionals left out. Both are callable from any thread.")
        for n in self.order:
            w("[[nodiscard]] ::runnel::protocol::ApiResult<void> decode(const %s& value, %s& out);"
              % (V, type_ident(n)))
            w("[[nodiscard]] ::runnel::protocol::ApiResult<void> decode(%s&& value, %s& out);"
              % (V, type_ident(n)))
            w("%s encode(const %s& in);" % (V, type_ident(n)))
        w("")
        w("}  // namespace %s" % self.namespace)
        return "\n".join(out) + "\n"

    # --- source ----------------------------------------------------------
    def source(self):
        out = []
        w = out.append
        w("// Generated by tools/gen_shapes.py from botocore's %s %s (sha256 %s). Do not edit."
          % (self.service, self.version, self.digest[:16]))
        w("// Each shape has a dec_X and an enc_X; the shared steps are in")
        w("// protocol/shape_codec.h, so that this file compiles quickly.")
        w('#include "%s_shapes.h"' % self.id)
        w("")
        w('#include "protocol/shape_codec.h"')
        w("")
        w("namespace %s {" % self.namespace)
        w("namespace {")
        w("")
        w("namespace sc = ::runnel::protocol::shape_codec;")
        w("using ::runnel::protocol::Value;")
        w("// Member names compare as string_views: lengths first, so a member is")
        w("// matched with at most one memcmp (PutRecords decodes 500 records per call).")
        w("using namespace std::string_view_literals;")
        w("")
        for n in self.order + self.containers:
            w("bool dec_%s(const Value& v, %s& out, sc::DecodeState& f);" % (type_ident(n), self.cxx_type(n)))
            w("void enc_%s(const %s& in, Value& out);" % (type_ident(n), self.cxx_type(n)))
        w("")
        for n in self.containers:
            self.container_code(n, w)
        for n in self.order:
            self.struct_decode(n, w)
            self.struct_encode(n, w)
        w("}  // namespace")
        w("")
        for n in self.order:
            t = type_ident(n)
            w("::runnel::protocol::ApiResult<void> decode(const Value& value, %s& out) {" % t)
            w("  out = %s{};" % t)
            w("  sc::DecodeState f;")
            w("  return sc::result(dec_%s(value, out, f), f);" % t)
            w("}")
            w("")
            w("::runnel::protocol::ApiResult<void> decode(Value&& value, %s& out) {" % t)
            w("  out = %s{};" % t)
            w("  sc::DecodeState f;")
            w("  f.take = true;")
            w("  return sc::result(dec_%s(value, out, f), f);" % t)
            w("}")
            w("")
            w("Value encode(const %s& in) {" % t)
            w("  Value v;")
            w("  enc_%s(in, v);" % t)
            w("  return v;")
            w("}")
            w("")
        w("}  // namespace %s" % self.namespace)
        return "\n".join(out) + "\n"

    def container_code(self, n, w):
        s = self.shapes[n]
        t, cxx = type_ident(n), self.cxx_type(n)
        if s["type"] == "list":
            item = s["member"]["shape"]
            w("bool dec_%s(const Value& v, %s& out, sc::DecodeState& f) {" % (t, cxx))
            w("  const auto* items = sc::array_of(v, f);")
            w("  if (!items) return false;")
            w("  out.clear();")
            w("  out.resize(items->size());")
            w("  for (size_t i = 0; i < items->size(); ++i)")
            w("    if (!(*items)[i].is_null() && !%s) return sc::at_index(f, i);"
              % self.dec_call(item, "(*items)[i]", "out[i]"))
            w("  return true;")
            w("}")
            w("")
            w("void enc_%s(const %s& in, Value& out) {" % (t, cxx))
            w("  auto& a = sc::make_array(out, in.size());")
            w("  for (const auto& e : in) %s" % self.enc_stmt(item, "e", "sc::append(a)"))
            w("}")
            w("")
        else:
            val = s["value"]["shape"]
            w("bool dec_%s(const Value& v, %s& out, sc::DecodeState& f) {" % (t, cxx))
            w('  const auto* entries = sc::object_of(v, "a map", f);')
            w("  if (!entries) return false;")
            w("  out.clear();")
            w("  out.resize(entries->size());")
            w("  for (size_t i = 0; i < entries->size(); ++i) {")
            w("    const auto& e = (*entries)[i];")
            w("    out[i].first = e.key;")
            w("    if (!e.value.is_null() && !%s) return sc::at(f, e.key);"
              % self.dec_call(val, "e.value", "out[i].second"))
            w("  }")
            w("  return true;")
            w("}")
            w("")
            w("void enc_%s(const %s& in, Value& out) {" % (t, cxx))
            w("  auto& o = sc::make_object(out, in.size());")
            w("  for (const auto& [k, e] : in) %s" % self.enc_stmt(val, "e", "sc::add(o, k)"))
            w("}")
            w("")

    def struct_decode(self, n, w):
        t = type_ident(n)
        members = self.members(n)
        w("bool dec_%s(const Value& v, %s& out, sc::DecodeState& f) {" % (t, t))
        w('  const auto* members = sc::object_of(v, "a structure", f);')
        w("  if (!members) return false;")
        required = [(mname, field) for mname, _, field, req in members if req]
        for _, field in required:
            w("  bool has_%s = false;" % field)
        if members:
            w("  for (const auto& m : *members) {")
            w("    if (m.value.is_null()) continue;")
            first = True
            for mname, m, field, req in members:
                stype = self.shapes[m["shape"]]["type"]
                pre = ""
                if (n, mname) in self.boxed:
                    dst = "*(out.%s = std::make_unique<%s>())" % (field, self.cxx_type(m["shape"]))
                elif req:
                    dst = "out." + field
                    if stype in ("structure",):
                        pre = "out.%s = {};  // a repeated key: the last one wins" % field
                else:
                    dst = "out.%s.emplace()" % field
                w("    %sif (m.key == %ssv) {" % ("" if first else "} else ", gen_model.cxx_str(mname)))
                if pre:
                    w("      " + pre)
                w("      if (!%s) return sc::at(f, %s);" % (self.dec_call(m["shape"], "m.value", dst),
                                                           gen_model.cxx_str(mname)))
                if req:
                    w("      has_%s = true;" % field)
                first = False
            w("    }")
            w("  }")
        for mname, field in required:
            w("  if (!has_%s) return sc::missing(f, %s);" % (field, gen_model.cxx_str(mname)))
        if not members:
            w("  (void)out;")
        w("  return true;")
        w("}")
        w("")

    def struct_encode(self, n, w):
        t = type_ident(n)
        members = self.members(n)
        w("void enc_%s(const %s& in, Value& out) {" % (t, t))
        w("  %ssc::make_object(out, %d);" % ("auto& o = " if members else "", len(members)))
        if not members:
            w("  (void)in;")
        for mname, m, field, req in members:
            slot = "sc::add(o, %s)" % gen_model.cxx_str(mname)
            if req and (n, mname) not in self.boxed:
                w("  %s" % self.enc_stmt(m["shape"], "in." + field, slot))
            else:
                w("  if (in.%s) %s" % (field, self.enc_stmt(m["shape"], "*in." + field, slot)))
        w("}")
        w("")

    # --- the test table --------------------------------------------------
    def roundtrip_header(self):
        return "\n".join([
            "#pragma once",
            "// Generated by tools/gen_shapes.py (--roundtrip): for tests only.",
            "",
            "#include <span>",
            "#include <string_view>",
            "",
            '#include "protocol/api_error.h"',
            '#include "protocol/value.h"',
            "",
            "namespace %s {" % self.namespace,
            "",
            "// A structure shape's decode() then encode(); the error of decode().",
            "struct ShapeRoundTrip {",
            "  std::string_view shape;",
            "  ::runnel::protocol::ApiResult<%s> (*run)(const %s& value);" % (V, V),
            "};",
            "",
            "// Every generated structure, by model shape name.",
            "std::span<const ShapeRoundTrip> %s_shape_round_trips();" % self.id,
            "",
            "}  // namespace %s" % self.namespace,
        ]) + "\n"

    def roundtrip_source(self):
        out = []
        w = out.append
        w("// Generated by tools/gen_shapes.py (--roundtrip): for tests only.")
        w('#include "%s_shapes_roundtrip.h"' % self.id)
        w("")
        w('#include "%s_shapes.h"' % self.id)
        w("")
        w("namespace %s {" % self.namespace)
        w("namespace {")
        w("")
        w("template <class T>")
        w("::runnel::protocol::ApiResult<%s> round_trip(const %s& value) {" % (V, V))
        w("  T typed;")
        w("  if (auto r = decode(value, typed); !r) return std::unexpected(r.error());")
        w("  return encode(typed);")
        w("}")
        w("")
        w("const ShapeRoundTrip kRoundTrips[] = {")
        for n in self.structs:
            w("    {%s, &round_trip<%s>}," % (gen_model.cxx_str(n), type_ident(n)))
        w("};")
        w("")
        w("}  // namespace")
        w("")
        w("std::span<const ShapeRoundTrip> %s_shape_round_trips() { return kRoundTrips; }" % self.id)
        w("")
        w("}  // namespace %s" % self.namespace)
        return "\n".join(out) + "\n"


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    operations = None
    for f in flags:
        if f.startswith("--operations="):
            operations = [o for o in f[len("--operations="):].split(",") if o]
        elif f != "--roundtrip":
            args = []
    if len(args) != 4:
        sys.stderr.write("usage: gen_shapes.py SERVICE API_VERSION OUTPUT_DIR NAMESPACE [--operations=A,B] "
                         "[--roundtrip]\n")
        sys.exit(1)
    service, version, out_dir, namespace = args
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*", namespace):
        sys.stderr.write("gen_shapes.py: error: bad namespace %r\n" % namespace)
        sys.exit(1)
    model, _source, digest = gen_model.load_model(service, version)
    for op in operations or []:
        if op not in model["operations"]:
            sys.stderr.write("gen_shapes.py: error: %s %s has no operation %r\n" % (service, version, op))
            sys.exit(1)
    g = Generator(service, version, model, digest, namespace, operations)
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, g.id + "_shapes")
    write_atomically(base + ".h", g.header())
    write_atomically(base + ".cc", g.source())
    if "--roundtrip" in flags:
        write_atomically(base + "_roundtrip.h", g.roundtrip_header())
        write_atomically(base + "_roundtrip.cc", g.roundtrip_source())


if __name__ == "__main__":
    main(sys.argv)
