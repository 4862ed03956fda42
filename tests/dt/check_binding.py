#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks the device-tree bindings in dts/bindings with what Debian ships
(dt-schema is not packaged): yamllint, the binding's own structure, every
example compiled by dtc with no warning, and every example node validated
against the binding's properties with python3-jsonschema. dt-schema's
conventions are applied the way dt-schema applies them: single values
become one-entry arrays, "items" lists are exact, uint32 is one cell.
Negative cases prove the validation rejects what it should.

The example board sources (dts/examples/*.dtso, overlays for QEMU's arm
virt machine) compile with dtc with no warning, and when QEMU with the
NPU is built ($EDGENPU_QEMU_BUILD) the node virt writes by itself, and
virt's tree with each overlay applied, validate: every node with an
"edgenpu," compatible against the binding naming that compatible.
Prints kselftest-style TAP.

    check_binding.py [BINDINGS_DIR]
"""
import copy
import glob
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml

RESULTS = []


class DtcLoader(yaml.SafeLoader):
    """dtc's YAML tags cells (!phandle, !u8, ...): keep the values."""


def _untag(loader, suffix, node):
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return yaml.safe_load(node.value) if isinstance(node, yaml.ScalarNode) else None


DtcLoader.add_multi_constructor("!", _untag)


def report(name, errors, skip=None):
    RESULTS.append((name, errors, skip))
    if skip:
        print(f"ok {len(RESULTS)} {name} # SKIP {skip}", flush=True)
        return
    print(("ok" if not errors else "not ok") + f" {len(RESULTS)} {name}", flush=True)
    for e in errors:
        print(f"# {e}")


# Phandle providers the examples may reference, and an interrupt parent:
# what the kernel's example wrapper provides with its fake nodes.
WRAPPER = """/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	interrupt-parent = <&intc>;
	intc: interrupt-controller@8000000 {
		compatible = "arm,gic-v3";
		reg = <0x08000000 0x10000>;
		interrupt-controller;
		#interrupt-cells = <3>;
		#address-cells = <0>;
	};
	cru: clock-controller@1000000 {
		compatible = "fake,cru";
		reg = <0x01000000 0x1000>;
		#clock-cells = <1>;
		#reset-cells = <1>;
	};
	pd: power-controller {
		compatible = "fake,power-controller";
		#power-domain-cells = <0>;
	};
	smmu: iommu@9000000 {
		compatible = "arm,smmu-v3";
		reg = <0x09000000 0x20000>;
		#iommu-cells = <1>;
	};
	reserved-memory {
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;
		npu_reserved: buffer@60000000 {
			compatible = "shared-dma-pool";
			reg = <0x60000000 0x4000000>;
			reusable;
		};
	};
	example {
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;
%s
	};
};
"""

UINT32 = "/schemas/types.yaml#/definitions/uint32"
STRING_PROPS = ("compatible", "clock-names", "reset-names", "interrupt-names")


def fixup(prop, s):
    """dt-schema's implicit conventions, made explicit for jsonschema."""
    if not isinstance(s, dict):
        return s
    s = copy.deepcopy(s)
    s.pop("description", None)
    if prop.startswith("#") and prop.endswith("-cells"):
        s.setdefault("$ref", UINT32)  # dt-schema knows their type
    if "oneOf" in s:
        s["oneOf"] = [fixup(prop, x) for x in s["oneOf"]]
        return s
    if s.get("$ref") == UINT32:
        del s["$ref"]
        cell = {"type": "integer", "minimum": 0, "maximum": 0xFFFFFFFF}
        for k in ("minimum", "maximum", "multipleOf", "enum", "const"):
            if k in s:
                cell[k] = s.pop(k)
        s.update({"type": "array", "minItems": 1, "maxItems": 1,
                  "items": {"type": "array", "minItems": 1, "maxItems": 1,
                            "items": cell}})
        return s
    scalar = {k: s.pop(k) for k in ("const", "enum") if k in s}
    if scalar:
        s.update({"type": "array", "minItems": 1, "maxItems": 1,
                  "items": [scalar], "additionalItems": False})
        return s
    if isinstance(s.get("items"), list):
        s["items"] = [fixup(prop, {**x, "description": ""})
                      if isinstance(x, dict) and ("const" in x or "enum" in x)
                      and prop not in STRING_PROPS else
                      (x if prop in STRING_PROPS else {})
                      for x in s["items"]]
        s.setdefault("maxItems", len(s["items"]))
        s.setdefault("minItems", len(s["items"]))
        s["additionalItems"] = False
    if "maxItems" in s or "minItems" in s:
        s["type"] = "array"
    return s


def node_schema(binding):
    props = {p: fixup(p, v) for p, v in binding["properties"].items()}
    # dt-schema's base schema allows these on every node (dtc adds a
    # phandle to a node others reference)
    props.setdefault("phandle", {})
    schema = {"type": "object", "properties": props,
              "required": binding.get("required", [])}
    if binding.get("additionalProperties") is False:
        schema["additionalProperties"] = False
    if "dependencies" in binding:
        schema["dependencies"] = binding["dependencies"]
    return schema


def validate(schema, node):
    v = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.path)) or '(node)'}: {e.message}"
            for e in v.iter_errors(node)]


def compile_example(path, i, text):
    """dtc the wrapped example: (warnings, nodes with a compatible)."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, f"example-{i}.dts")
        with open(src, "w") as f:
            f.write(WRAPPER % "\n".join("\t\t" + l for l in text.splitlines()))
        r = subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", os.devnull, src],
                           capture_output=True, text=True)
        msgs = [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]
        if r.returncode:
            return msgs or [f"dtc exit {r.returncode}"], []
        r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "yaml", src],
                           capture_output=True, text=True, check=True)
    tree = yaml.load(r.stdout, Loader=DtcLoader)[0]
    return msgs, [(k, v) for k, v in tree["example"].items() if isinstance(v, dict)]


def structure(path, bindings_dir, b):
    errs = []
    rel = os.path.relpath(path, bindings_dir)
    want = f"http://devicetree.org/schemas/{rel[:-len('.yaml')]}.yaml#"
    if b.get("$id") != want:
        errs.append(f"$id is {b.get('$id')}, expected {want}")
    if b.get("$schema") != "http://devicetree.org/meta-schemas/core.yaml#":
        errs.append("$schema is not the core meta-schema")
    for key in ("title", "maintainers", "description", "properties", "required", "examples"):
        if not b.get(key):
            errs.append(f"no {key}")
    if b.get("additionalProperties") is not False and b.get("unevaluatedProperties") is not False:
        errs.append("neither additionalProperties nor unevaluatedProperties is false")
    for r in b.get("required", []):
        if r not in b.get("properties", {}):
            errs.append(f"required {r} is not a property")
    compat = b.get("properties", {}).get("compatible", {})
    flat = yaml.safe_dump(compat)
    if "0." not in flat and "-v" not in flat:
        errs.append("no versioned compatible")
    return errs


def negatives(schema, node):
    """Mutations the validation must reject: proves it can fail. Each
    mutation of a property applies where the binding declares it."""
    cases = {
        "without reg": (None, lambda n: n.pop("reg")),
        "with an undeclared property": (None, lambda n: n.__setitem__("edgenpu,bogus", [[1]])),
        "with an unknown compatible": (None, lambda n: n.__setitem__("compatible",
                                                                     ["edgenpu,npu-9.9"])),
        "with clock-names out of order": ("clock-names",
                                          lambda n: n.__setitem__("clock-names", ["bus", "core"])),
        "with two interrupts": ("interrupts",
                                lambda n: n.__setitem__("interrupts", [[0, 1, 4], [0, 2, 4]])),
        "with an SRAM size not a page multiple": ("edgenpu,sram-size",
                                                  lambda n: n.__setitem__("edgenpu,sram-size",
                                                                          [[5000]])),
        "with clock-names but no clocks": ("clock-names",
                                           lambda n: (n.pop("clocks", None),
                                                      n.__setitem__("clock-names", ["core"]))),
        "with #power-domain-cells 1": ("#power-domain-cells",
                                       lambda n: n.__setitem__("#power-domain-cells", [[1]])),
    }
    out = []
    for name, (prop, mutate) in cases.items():
        if prop and prop not in schema["properties"]:
            continue
        n = copy.deepcopy(node)
        mutate(n)
        if not validate(schema, n):
            out.append(f"accepted a node {name}")
    return out


def compatibles(s):
    """Every compatible string a binding's compatible schema names."""
    if isinstance(s, dict):
        out = [v for k in ("const", "enum") for v in
               (s[k] if isinstance(s.get(k), list) else [s.get(k)]) if isinstance(v, str)]
        return out + [c for k, v in s.items() if k not in ("const", "enum")
                      for c in compatibles(v)]
    if isinstance(s, list):
        return [c for x in s for c in compatibles(x)]
    return []


def schema_for(node, schemas):
    """The schema of the binding that names @node's first known compatible."""
    for c in node.get("compatible", []):
        if c in schemas:
            return schemas[c]
    return None


def edgenpu_nodes(tree, path=""):
    """(path, node) of every node whose compatible names an EdgeNPU."""
    out = []
    for k, v in tree.items():
        if isinstance(v, dict):
            compat = v.get("compatible", [])
            if any(str(c).startswith("edgenpu,") for c in compat if isinstance(c, str)):
                out.append((f"{path}/{k}", v))
            out += edgenpu_nodes(v, f"{path}/{k}")
    return out


def dtb_nodes(dtb):
    """EdgeNPU nodes of a compiled tree (dtc emits YAML only from source)."""
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb],
                         capture_output=True, text=True, check=True).stdout
    r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "yaml", "-"], input=dts,
                       capture_output=True, text=True, check=True)
    nodes = edgenpu_nodes(yaml.load(r.stdout, Loader=DtcLoader)[0])
    # a decompiled string list is one string with NULs in it
    for _, node in nodes:
        for k, v in node.items():
            if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
                node[k] = [part for x in v for part in x.split("\0")]
    return nodes


# dtc cannot know the cells of the tree an overlay's root fragment lands
# in; the overlays restate the root's cells, which dtc then calls
# unnecessary.
OVERLAY_DTC = ["dtc", "-@", "-W", "no-avoid_unnecessary_addr_size", "-I", "dts", "-O", "dtb"]


NPU_NODE = "/platform-bus@c000000/npu@0"


def validate_tree(dtb, schemas):
    """Every EdgeNPU node of a compiled tree against its binding."""
    errs = []
    for path, node in dtb_nodes(dtb):
        schema = schema_for(node, schemas)
        if schema is None:
            errs.append(f"{path}: no binding for compatible {node.get('compatible')}")
            continue
        errs += [f"{path}: {e}" for e in validate(schema, node)]
    return errs


def board_checks(top, schemas):
    """dts/examples overlays for QEMU virt, and the node QEMU writes."""
    qemu = os.path.join(os.environ.get("EDGENPU_QEMU_BUILD", ""), "qemu-system-aarch64")
    overlays = sorted(glob.glob(os.path.join(top, "dts", "examples", "*.dtso")))
    if not overlays:
        report("example board sources in dts/examples", ["none"])
    with tempfile.TemporaryDirectory() as d:
        base = None
        if os.access(qemu, os.X_OK):
            base = os.path.join(d, "virt.dtb")
            r = subprocess.run([qemu, "-M", f"virt,dumpdtb={base}", "-cpu", "cortex-a57",
                                "-nodefaults", "-display", "none", "-device", "edgenpu-mmio"],
                               capture_output=True, text=True)
            nodes = [p for p, _ in dtb_nodes(base)] if r.returncode == 0 else []
            errs = [] if nodes else [f"no EdgeNPU node in virt's tree: {r.stderr.strip()}"]
            if nodes:
                errs += validate_tree(base, schemas)
            errs += [f"node at {p}, documented at {NPU_NODE}" for p in nodes if p != NPU_NODE]
            report("QEMU virt's own npu node matches the binding", errs)
        else:
            report("QEMU virt's own npu node matches the binding", [],
                   skip=f"no {qemu} (set EDGENPU_QEMU_BUILD)")
        for ov in overlays:
            name = os.path.relpath(ov, top)
            dtbo = os.path.join(d, os.path.basename(ov) + ".dtbo")
            r = subprocess.run(OVERLAY_DTC + ["-o", dtbo, ov], capture_output=True, text=True)
            msgs = [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]
            report(f"{name} compiles with dtc, no warnings",
                   msgs or ([f"dtc exit {r.returncode}"] if r.returncode else []))
            if not base:
                report(f"{name} on QEMU virt matches the bindings", [],
                       skip=f"no {qemu} (set EDGENPU_QEMU_BUILD)")
                continue
            out = os.path.join(d, "applied.dtb")
            r = subprocess.run(["fdtoverlay", "-i", base, "-o", out, dtbo],
                               capture_output=True, text=True)
            if r.returncode:
                report(f"{name} on QEMU virt matches the bindings",
                       [f"fdtoverlay: {r.stderr.strip()}"])
                continue
            report(f"{name} on QEMU virt matches the bindings", validate_tree(out, schemas))


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    bindings_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "dts", "bindings")
    files = sorted(glob.glob(os.path.join(bindings_dir, "**", "*.yaml"), recursive=True))
    print("TAP version 13")
    schemas = {}
    if not files:
        report(f"bindings found in {bindings_dir}", ["none"])
    for path in files:
        name = os.path.relpath(path, bindings_dir)
        r = subprocess.run(["yamllint", "-f", "parsable", "-d",
                            "{extends: relaxed, rules: {line-length: {max: 110}}}", path],
                           capture_output=True, text=True)
        report(f"{name}: yamllint", r.stdout.splitlines() if r.returncode or r.stdout else [])
        with open(path) as f:
            b = yaml.safe_load(f)
        report(f"{name}: binding structure", structure(path, bindings_dir, b))
        schema = node_schema(b)
        for i, ex in enumerate(b.get("examples", [])):
            msgs, nodes = compile_example(path, i, ex)
            report(f"{name}: example {i} compiles with dtc, no warnings", msgs)
            errs = [] if nodes else ["no node in the example"]
            for nname, node in nodes:
                errs += [f"{nname}: {e}" for e in validate(schema, node)]
            report(f"{name}: example {i} matches the binding", errs)
            if i == 0 and nodes:
                report(f"{name}: invalid variants of example 0 are rejected",
                       negatives(schema, nodes[0][1]))
        for c in compatibles(b.get("properties", {}).get("compatible")):
            schemas[c] = schema
    board_checks(top, schemas)
    fails = sum(1 for _, e, s in RESULTS if e and not s)
    skips = sum(1 for _, _, s in RESULTS if s)
    print(f"# Totals: pass:{len(RESULTS) - fails - skips} fail:{fails} xfail:0 xpass:0 "
          f"skip:{skips} error:0")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
