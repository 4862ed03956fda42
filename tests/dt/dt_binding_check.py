#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The device-tree bindings in dts/bindings checked by dt-schema, as the
kernel's `make dt_binding_check` checks a binding
(Documentation/devicetree/bindings/Makefile in the 6.12 tree), against the
6.12 tree's bindings, and QEMU virt's own tree with the example overlays
applied checked as `make dtbs_check` checks a board's tree.

dt-schema is Debian trixie's (scripts/setup/dtschema.sh); with the 6.12 tree's
bindings it is what a kernel developer runs:
  - each binding: yamllint with the tree's .yamllint; dt-doc-validate (the
    binding against dt-schema's meta-schemas)
  - dt-mk-schema: the tree's bindings and these processed into one schema;
    the tree's vendor-prefixes.yaml with the "edgenpu" prefix added
    (dts/bindings/vendor-prefixes.patch), as the upstream series would
  - each binding's examples: dt-extract-example, the C preprocessor and
    dtc as the kernel's rules run them, then dt-validate -m (unknown
    compatibles reported too)
  - QEMU virt's tree (-machine dumpdtb) with edgenpu-mmio, as QEMU writes
    it (DMA-coherent or not), and with each dts/examples overlay applied by
    fdtoverlay:
    dt-validate -m. virt's own nodes have errors of their own (node names
    such as pl011@...), reported here and not counted: what counts is any
    error the NPU and its integration add to the tree of a virt machine
    without the NPU.
dt-validate exits 0 whatever it finds: any message fails a test.

What dt-schema does not check, checked here:
  - every binding has a description and examples, and names a versioned
    compatible (the project's rules: the contract or interface version,
    "-0.2", "-v1")
  - invalid variants of the examples are rejected by dt-validate: the
    bindings are strict enough to fail (a property dropped, one not
    declared, cells out of range, ...)
  - each overlay compiles with dtc, no warnings

Prints kselftest-style TAP.

    dt_binding_check.py [--work DIR]

DIR keeps the processed schema (dt-mk-schema takes about 20 s) from one
run to the next, rebuilt when an input changes; without it, a temporary
directory. dt-schema and the tree's bindings are where
scripts/setup/dtschema.sh puts them (it is run to find them), QEMU in
$EDGENPU_QEMU_BUILD (the QEMU tests skip without it).
"""
import argparse
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINDINGS = os.path.join(TOP, "dts", "bindings")
VENDOR_PATCH = os.path.join(BINDINGS, "vendor-prefixes.patch")
RESULTS = []

# Documentation/devicetree/bindings/Makefile's DTC_FLAGS for the examples.
EXAMPLE_DTC_FLAGS = ["-Wno-avoid_unnecessary_addr_size", "-Wno-graph_child_address",
                     "-Wno-interrupt_provider", "-Wno-unique_unit_address",
                     "-Wunique_unit_address_if_enabled"]
# dtc cannot know the cells of the tree an overlay's root fragment lands
# in; the overlays restate the root's cells, which dtc then calls
# unnecessary.
OVERLAY_DTC = ["dtc", "-@", "-W", "no-avoid_unnecessary_addr_size", "-I", "dts", "-O", "dtb"]
# The machine scripts/vm/edgenpu-vm boots for the arm64 guests.
VIRT = ["-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-smp", "2",
        "-nodefaults", "-display", "none"]

# Invalid variants of the examples: (what, pattern, replacement), each made
# where the pattern first matches in a binding's extracted examples;
# dt-validate must report an error in each.
VARIANTS = [
    ("without reg", r"\n\s*reg = [^;]*;", ""),
    ("with an undeclared property", r'(compatible = "edgenpu,[^;]*;)',
     r"\1 edgenpu,bogus = <1>;"),
    ("with an unknown compatible", r'compatible = "edgenpu,[^;]*;',
     'compatible = "edgenpu,npu-9.9";'),
    ("with clock-names out of order", r'clock-names = "core", "bus";',
     'clock-names = "bus", "core";'),
    ("with clock-names but no clocks", r"\n\s*clocks = [^;]*;", ""),
    ("with two interrupts", r"interrupts = <([^>]*)>;", r"interrupts = <\1>, <\1>;"),
    ("with an SRAM size not a page multiple", r"edgenpu,sram-size = <[^>]*>;",
     "edgenpu,sram-size = <5000>;"),
    ("with a bus narrower than 32 bits", r"edgenpu,dma-address-bits = <[^>]*>;",
     "edgenpu,dma-address-bits = <16>;"),
    ("with two bus widths", r"edgenpu,dma-address-bits = <[^>]*>;",
     "edgenpu,dma-address-bits = <40 40>;"),
    ("with #power-domain-cells 1", r"#power-domain-cells = <0>;", "#power-domain-cells = <1>;"),
    ("with #reset-cells 0", r"#reset-cells = <1>;", "#reset-cells = <0>;"),
    ("without the generic fallback", r'(compatible = "edgenpu,[^"]*"), "snps,[^"]*";', r"\1;"),
]


def report(name, errors, skip=None, notes=()):
    RESULTS.append((name, errors, skip))
    n = len(RESULTS)
    if skip:
        print(f"ok {n} {name} # SKIP {skip}", flush=True)
        return
    print(("ok" if not errors else "not ok") + f" {n} {name}", flush=True)
    for e in list(errors) + list(notes):
        for line in str(e).splitlines():
            print(f"# {line}")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def lines(r):
    return [l for l in (r.stdout + r.stderr).splitlines() if l.strip()]


def dtschema_dirs():
    """(tool dir, kernel side) as scripts/setup/dtschema.sh has them."""
    r = run([os.path.join(TOP, "scripts", "setup", "dtschema.sh")])
    dirs = r.stdout.split()
    if r.returncode or len(dirs) != 2:
        raise RuntimeError(f"scripts/setup/dtschema.sh failed: {r.stderr.strip()}")
    return dirs


class DtSchema:
    def __init__(self, tool, ksrc, work):
        self.bin = os.path.join(tool, "bin")
        self.tool = tool
        self.ksrc = ksrc
        self.kbindings = os.path.join(ksrc, "Documentation", "devicetree", "bindings")
        self.work = work

    def __call__(self, name, *args, **kw):
        return run([os.path.join(self.bin, name), *args], **kw)

    def vendor_prefixes(self):
        out = os.path.join(self.work, "vendor-prefixes.yaml")
        r = run(["patch", "-s", "-o", out, os.path.join(self.kbindings, "vendor-prefixes.yaml"),
                 VENDOR_PATCH])
        if r.returncode:
            raise RuntimeError(f"vendor-prefixes.patch does not apply: {' '.join(lines(r))}")
        return out

    def processed_schema(self, ours):
        """dt-mk-schema over the tree's bindings and ours: (path, errors,
        notes). Reused while its inputs are the same."""
        schema = os.path.join(self.work, "processed-schema.json")
        key_file = schema + ".key"
        vendor = self.vendor_prefixes()
        files = [f for f in glob.glob(os.path.join(self.kbindings, "**", "*.yaml"), recursive=True)
                 if os.path.basename(f) != "vendor-prefixes.yaml"
                 and not os.path.basename(f).startswith("processed-schema")]
        files = sorted(files) + [vendor] + ours
        h = hashlib.sha256()
        h.update(os.path.realpath(self.tool).encode() + b"\0" + os.path.realpath(self.ksrc).encode())
        for f in [vendor] + ours:
            with open(f, "rb") as fp:
                h.update(f.encode() + b"\0" + fp.read())
        key = h.hexdigest()
        try:
            with open(key_file) as fp:
                if fp.read() == key and os.path.getsize(schema) > 0:
                    return schema, [], ["(processed schema reused: no input changed)"]
        except OSError:
            pass
        listing = os.path.join(self.work, "schema-files")
        with open(listing, "w") as fp:
            fp.write("\n".join(files) + "\n")
        with open(schema, "w") as out:
            r = subprocess.run([os.path.join(self.bin, "dt-mk-schema"), "-j", "@" + listing],
                               stdout=out, stderr=subprocess.PIPE, text=True)
        msgs = [l for l in r.stderr.splitlines() if l.strip()]
        mine = [l for l in msgs if any(f in l for f in [vendor, BINDINGS])]
        errors = mine + ([f"dt-mk-schema exit {r.returncode}"] if r.returncode else [])
        notes = [f"(the 6.12 tree's own) {l}" for l in msgs if l not in mine]
        if not errors:
            with open(key_file, "w") as fp:
                fp.write(key)
        return schema, errors, notes

    def extract_examples(self, binding):
        """dt-extract-example: (the examples as one source or None, messages)."""
        r = self("dt-extract-example", binding)
        if r.returncode:
            return None, lines(r) or [f"dt-extract-example exit {r.returncode}"]
        return r.stdout, [l for l in r.stderr.splitlines() if l.strip()]

    def compile_example(self, source, base, src_dir):
        """An example source compiled as the kernel's rules compile
        %.example.dtb: (base.example.dtb or None, messages)."""
        with open(base + ".example.dts", "w") as f:
            f.write(source)
        inc = os.path.join(self.ksrc, "scripts", "dtc", "include-prefixes")
        r = run(["cpp", "-nostdinc", "-I", inc, "-undef", "-D__DTS__", "-x", "assembler-with-cpp",
                 "-o", base + ".dts.tmp", base + ".example.dts"])
        if r.returncode:
            return None, lines(r) or [f"cpp exit {r.returncode}"]
        r = run(["dtc", "-o", base + ".example.dtb", "-b", "0", "-i", src_dir,
                 "-i", inc] + EXAMPLE_DTC_FLAGS + [base + ".dts.tmp"])
        msgs = lines(r)
        if r.returncode:
            return None, msgs or [f"dtc exit {r.returncode}"]
        return base + ".example.dtb", msgs

    def validate(self, schema, dtbs):
        """dt-validate -m, once for all the trees (it loads the processed
        schema each time it starts): {dtb: [messages]}, each message with
        its continuation lines and without the file name; messages of no
        tree under None."""
        r = self("dt-validate", "-m", "-u", self.kbindings, "-p", schema, *dtbs)
        return by_file(r.stdout + r.stderr, dtbs, r.returncode, "dt-validate")


def by_file(out, files, status, tool):
    """A tool's messages, split by the file each names first: {file:
    [messages]}, None for the rest (and for a failing exit status that no
    message of a file explains)."""
    found = {f: [] for f in files}
    cur = None
    for l in out.splitlines():
        for f in files:
            if l.startswith(f + ":"):
                cur = found[f]
                cur.append(l[len(f) + 1:].strip())
                break
        else:
            if cur is not None and l.startswith("\t"):
                cur[-1] += "\n" + l
            elif l.strip():
                found.setdefault(None, []).append(l)
                cur = None
    if status and not any(found.values()):
        found[None] = [f"{tool} exit {status}"]
    return found


def project_rules(path):
    """What the project asks of a binding beyond dt-schema's meta-schemas."""
    with open(path) as f:
        b = yaml.safe_load(f)
    errs = [f"no {key}" for key in ("description", "examples") if not b.get(key)]
    flat = yaml.safe_dump(b.get("properties", {}).get("compatible", {}))
    if not re.search(r"edgenpu,[a-z0-9-]*(-[0-9]+\.[0-9]+|-v[0-9]+)\b", flat):
        errs.append("no versioned compatible (edgenpu,<name>-<major>.<minor> or "
                    "edgenpu,<name>-v<n>)")
    return errs


def variants(source):
    """(what, source) of the invalid variants of a binding's extracted
    examples: each replacement made once, where its pattern first
    matches."""
    return [(what, re.sub(pattern, repl, source, count=1))
            for what, pattern, repl in VARIANTS if re.search(pattern, source)]


class Checks:
    """Tests prepared first, reported in order once dt-validate has seen
    every tree."""

    def __init__(self):
        self.todo = []
        self.dtbs = []
        self.found = {}

    def add(self, name, result):
        """result: (errors, skip, notes), or a function of the
        dt-validate messages ({dtb: [messages]}) returning it."""
        self.todo.append((name, result))

    def tree(self, dtb):
        self.dtbs.append(dtb)
        return dtb

    def run(self, dt, schema):
        if schema and self.dtbs:
            self.found = dt.validate(schema, self.dtbs)
        for name, result in self.todo:
            errors, skip, notes = result(self.found) if callable(result) else result
            report(name, errors, skip=skip, notes=notes)


def binding_checks(dt, ours, work, checks):
    schema, errors, notes = dt.processed_schema(ours)
    checks.add("dt-mk-schema: the 6.12 tree's bindings and these, one processed schema",
               (errors, None, notes))
    if errors:
        schema = None
    r = run(["yamllint", "-f", "parsable", "-c", os.path.join(dt.kbindings, ".yamllint")] + ours)
    lint = by_file(r.stdout + r.stderr, ours, 0, "yamllint")
    r = dt("dt-doc-validate", "-u", dt.kbindings, *ours)
    doc = by_file(r.stdout + r.stderr, ours, r.returncode, "dt-doc-validate")
    vdir = os.path.join(work, "variants")
    shutil.rmtree(vdir, ignore_errors=True)
    os.makedirs(vdir)
    for path in ours:
        name = os.path.relpath(path, BINDINGS)
        stem = os.path.basename(path)[:-len(".yaml")]
        checks.add(f"{name}: yamllint (the tree's .yamllint)", (lint[path], None, ()))
        checks.add(f"{name}: dt-doc-validate", (doc[path] + doc.get(None, []), None, ()))
        checks.add(f"{name}: a description, examples, a versioned compatible",
                   (project_rules(path), None, ()))
        source, msgs = dt.extract_examples(path)
        dtb = None
        if source is not None:
            dtb, more = dt.compile_example(source, os.path.join(work, stem), os.path.dirname(path))
            msgs += more
        checks.add(f"{name}: examples compile (dt-extract-example, cpp, dtc), no warnings",
                   (msgs, None, ()))
        what = f"{name}: examples pass dt-validate"
        if dtb is None or schema is None:
            checks.add(what, ([], "no examples compiled" if dtb is None else "no processed schema",
                              ()))
            continue
        checks.tree(dtb)
        checks.add(what, lambda found, dtb=dtb: (found[dtb] + found.get(None, []), None, ()))

        built, errs = [], []
        for i, (desc, bad) in enumerate(variants(source)):
            vdtb, msgs = dt.compile_example(bad, os.path.join(vdir, f"{stem}-{i}"),
                                            os.path.dirname(path))
            if vdtb is None:
                errs.append(f"the variant {desc} does not compile: {' '.join(msgs)}")
            else:
                built.append((desc, checks.tree(vdtb)))
        if not built and not errs:
            errs.append("no variant applies to its examples")

        def rejected(found, built=built, errs=errs):
            return (errs + [f"accepted an example {desc}" for desc, d in built if not found[d]]
                    + found.get(None, []), None, ())
        checks.add(f"{name}: invalid variants of its examples are rejected ({len(built)})",
                   rejected)
    return schema


def board_checks(dt, schema, work, checks):
    """dts/examples overlays for QEMU virt, and the node QEMU writes."""
    qemu = os.path.join(os.environ.get("EDGENPU_QEMU_BUILD", ""), "qemu-system-aarch64")
    overlays = sorted(glob.glob(os.path.join(TOP, "dts", "examples", "*.dtso")))
    if not overlays:
        checks.add("example board sources in dts/examples", (["none"], None, ()))
    dtbos = []
    for ov in overlays:
        name = os.path.relpath(ov, TOP)
        dtbo = os.path.join(work, os.path.basename(ov) + ".dtbo")
        r = run(OVERLAY_DTC + ["-o", dtbo, ov])
        checks.add(f"{name} compiles with dtc, no warnings",
                   (lines(r) or ([f"dtc exit {r.returncode}"] if r.returncode else []), None, ()))
        dtbos.append((name, dtbo if r.returncode == 0 else None))
    names = ["QEMU virt's tree with edgenpu-mmio passes dt-validate",
             "QEMU virt's tree with edgenpu-mmio,dma-coherent=off passes dt-validate"] + \
        [f"{name} on QEMU virt's tree passes dt-validate" for name, _ in dtbos]
    skip = None
    if not os.access(qemu, os.X_OK):
        skip = f"no {qemu} (set EDGENPU_QEMU_BUILD)"
    elif schema is None:
        skip = "no processed schema"
    if skip:
        for n in names:
            checks.add(n, ([], skip, ()))
        return
    base = os.path.join(work, "virt-plain.dtb")
    npu = os.path.join(work, "virt-npu.dtb")
    noncoherent = os.path.join(work, "virt-npu-noncoherent.dtb")
    errs = []
    for out, dev in ((base, None), (npu, "edgenpu-mmio,debug=on"),
                     (noncoherent, "edgenpu-mmio,debug=on,dma-coherent=off")):
        r = run([qemu] + VIRT + ["-machine", f"dumpdtb={out}"] + (["-device", dev] if dev else []))
        if r.returncode:
            errs.append(f"QEMU could not dump virt's tree: {' '.join(lines(r))}")
    if errs:
        for n in names:
            checks.add(n, (errs, None, ()))
        return
    checks.tree(base)
    trees = [(names[0], checks.tree(npu), []), (names[1], checks.tree(noncoherent), [])]
    for (name, dtbo), n in zip(dtbos, names[2:]):
        if dtbo is None:
            trees.append((n, None, ["the overlay did not compile"]))
            continue
        out = os.path.join(work, os.path.basename(dtbo) + ".applied.dtb")
        r = run(["fdtoverlay", "-i", npu, "-o", out, dtbo])
        if r.returncode:
            trees.append((n, None, [f"fdtoverlay: {' '.join(lines(r))}"]))
        else:
            trees.append((n, checks.tree(out), []))

    for n, tree, errs in trees:
        def beyond_virt(found, tree=tree, errs=errs):
            """Messages on the tree that virt's own tree without the NPU
            does not draw."""
            if tree is None:
                return errs, None, ()
            own = found[base]
            notes = [f"virt's own, not counted: {e}" for e in own] if tree == npu else ()
            return [e for e in found[tree] if e not in own] + found.get(None, []), None, notes
        checks.add(n, beyond_virt)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", help="keeps the processed schema between runs")
    args = ap.parse_args()
    print("TAP version 13")
    ours = sorted(glob.glob(os.path.join(BINDINGS, "**", "*.yaml"), recursive=True))
    with tempfile.TemporaryDirectory() as tmp:
        # (absolute: dt-validate names files by their absolute path)
        work = os.path.abspath(args.work or tmp)
        os.makedirs(work, exist_ok=True)
        try:
            tool, ksrc = dtschema_dirs()
        except RuntimeError as e:
            report("dt-schema set up (scripts/setup/dtschema.sh)", [str(e)])
            return 1
        dt = DtSchema(tool, ksrc, work)
        if not ours:
            report(f"bindings found in {BINDINGS}", ["none"])
        checks = Checks()
        schema = binding_checks(dt, ours, work, checks)
        board_checks(dt, schema, work, checks)
        checks.run(dt, schema)
    fails = sum(1 for _, e, s in RESULTS if e and not s)
    skips = sum(1 for _, _, s in RESULTS if s)
    print(f"# Totals: pass:{len(RESULTS) - fails - skips} fail:{fails} xfail:0 xpass:0 "
          f"skip:{skips} error:0")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
