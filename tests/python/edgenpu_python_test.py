# SPDX-License-Identifier: MIT
"""The Python binding (python/edgenpu) against the C library.

On the host, with the CPU backend: every whole-model golden (walked, never
listed) runs through edgenpu.load() bit-exactly, from the .tflite and from
a compiled-model file; placement and reasons; errors as exceptions with the
library's message; async submit/wait. With an EdgeNPU (in the guest): the
device listed and opened, every golden bit-exact on the NPU, a wait that
times out on a hung job (fault injection) raising edgenpu.Timeout.
numpy arrays in and out when numpy is importable, bytes otherwise
(EDGENPU_NO_NUMPY=1). Prints KTAP; standard library only.

Environment: EDGENPU_GOLDENS, EDGENPU_MODELS (default ../shared/...),
EDGENPU_LIBRARY (the libedgenpu.so.0 to test), EDGENPU_TEST_SVDF (a model
with state: the host test writes one).
"""
import errno
import os
import sys
import time

import edgenpu

GOLDENS = os.environ.get("EDGENPU_GOLDENS", "../shared/goldens")
MODELS = os.environ.get("EDGENPU_MODELS", "../shared/models")
np = edgenpu._np


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def raises(fn, err, text):
    """fn() must raise edgenpu.Error with errno @err and @text in its message."""
    try:
        fn()
    except edgenpu.Error as e:
        check(e.errno == err, "errno %d, expected %d (%s)" % (e.errno, err, e))
        check(text in str(e), "message %r lacks %r" % (str(e), text))
        return e
    raise AssertionError("no edgenpu.Error raised (expected %r)" % text)


def read_golden(path):
    """{'model': name, 'in0': (dtype, shape, bytes), 'out0': ...} of a golden file."""
    g, cur = {}, None
    with open(path) as f:
        for line in f:
            tok = line.split()
            if not tok:
                continue
            if tok[0] == "model":
                g["model"] = tok[1]
            elif tok[0] == "tensor":
                cur = tok[1]
                g[cur] = [tok[2], tuple(int(x) for x in tok[3:]), None]
            elif tok[0] == "data" and cur:
                g[cur][2] = bytes.fromhex(tok[1])
    return g


def goldens():
    root = os.path.join(GOLDENS, "models")
    found = []
    for d in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if not os.path.isdir(os.path.join(root, d)):
            continue
        for f in sorted(os.listdir(os.path.join(root, d))):
            if f.endswith(".golden"):
                found.append(os.path.join(root, d, f))
    return found


def as_input(g):
    dtype, shape, data = g["in0"]
    if np is not None:
        return np.frombuffer(data, dtype=dtype).reshape(shape)
    return data


def as_bytes(out):
    return out.tobytes() if np is not None else out


def run_goldens(device):
    paths = goldens()
    if not paths:
        raise Skip("no whole-model goldens in %s" % GOLDENS)
    models = {}
    for p in paths:
        g = read_golden(p)
        if g["model"] not in models:
            models[g["model"]] = edgenpu.load(os.path.join(MODELS, g["model"]), device)
        out, = models[g["model"]].run(as_input(g))[:1]
        if np is not None:
            check(isinstance(out, np.ndarray), "outputs are numpy arrays")
            check(out.shape == g["out0"][1], "output shape %s" % (out.shape,))
        check(as_bytes(out) == g["out0"][2], "%s: output differs from TFLite-Micro's" % p)
    return "%d goldens of %d models" % (len(paths), len(models))


# ---- host and guest ---------------------------------------------------------

def test_version():
    v = edgenpu.library_version()
    check(len(v.split(".")) == 3 and all(x.isdigit() for x in v.split(".")), v)
    return v


def test_goldens_on_the_cpu():
    if os.environ.get("EDGENPU_PYTHON_HOST_COVERED") and edgenpu.devices():
        raise Skip("run on the host (make check); here the goldens run on the NPU")
    return run_goldens(None)


def test_compiled_file_runs_the_same():
    pd = os.path.join(MODELS, "person_detect.tflite")
    if not os.path.exists(pd):
        raise Skip("no %s" % pd)
    planned = edgenpu.compile(pd, "default")
    path = "/tmp/edgenpu-python-%d.enpu" % os.getpid()
    planned.save(path)
    try:
        a = edgenpu.load(pd)
        b = edgenpu.load(path)
        check(b.origin == "file", b.origin)
        img = bytes((i * 7) % 256 for i in range(96 * 96))
        x = np.frombuffer(img, dtype="int8").reshape(1, 96, 96, 1) if np is not None else img
        check(as_bytes(a.run(x)[0]) == as_bytes(b.run(x)[0]), "file and .tflite differ")
    finally:
        os.unlink(path)
    raises(lambda: planned.run(x), errno.ENODEV, "can be inspected, not run")


def test_layers_say_why():
    pd = os.path.join(MODELS, "person_detect.tflite")
    if not os.path.exists(pd):
        raise Skip("no %s" % pd)
    layers = edgenpu.compile(pd, "default").layers
    check(len(layers) == 31, "%d layers" % len(layers))
    check(all(l.unit == "NPU" and l.reason is None for l in layers[:30]), "30 on the NPU")
    last = layers[30]
    check(last.type == "SOFTMAX" and last.unit == "CPU", str(last))
    check("no instruction for SOFTMAX" in last.reason, last.reason)
    check(layers[0].macs > 0 and layers[0].est_cycles > 0 and layers[0].job == 0,
          str(layers[0]))


def test_errors_carry_the_message():
    raises(lambda: edgenpu.load("/nonexistent.tflite"), errno.ENOENT,
           "cannot open /nonexistent.tflite")
    raises(lambda: edgenpu.load(b"not a model at all"), errno.EINVAL,
           "neither a TFLite model")
    raises(lambda: edgenpu.compile(os.path.join(MODELS, "hello_world_int8.tflite"), "nosuch"),
           errno.ENOENT, "nosuch")
    m = edgenpu.load(os.path.join(MODELS, "hello_world_int8.tflite"))
    raises(lambda: m.run(b"\0" * 3), errno.EINVAL, "takes exactly 1")
    raises(lambda: m.run(), errno.EINVAL, "1 input(s), 0 given")


def test_submit_and_wait():
    m = edgenpu.load(os.path.join(MODELS, "hello_world_int8.tflite"))
    x = bytes([100])
    want = as_bytes(m.run(x)[0])
    runs = [m.submit(x) for _ in range(3)]
    for r in runs:
        check(as_bytes(r.wait(timeout=5.0)[0]) == want, "async output differs")
        r.release()
    raises(lambda: runs[0].wait(), errno.EINVAL, "released")


def test_model_variables():
    """A model with state (an SVDF whose state is a variable): read, written, reset."""
    path = os.environ.get("EDGENPU_TEST_SVDF")
    if not path:
        raise Skip("no model with state (EDGENPU_TEST_SVDF; the host test writes one)")
    m = edgenpu.load(path)
    variables = m.variables
    check(len(variables) == 1, "variables: %r" % (variables,))
    v = variables[0]
    check(v.dtype == "int16" and v.shape == (1, 24) and v.bytes == 48, "variable: %r" % (v,))
    zeros = m.read_variable(0)
    check(as_bytes(zeros) == b"\0" * 48, "a TFLite variable starts from zeros")
    x = bytes([7, 200, 3, 99, 150])
    first = as_bytes(m.run(x)[0])
    moved = m.read_variable(0)
    check(as_bytes(moved) != b"\0" * 48, "the inference left no state")
    second = as_bytes(m.run(x)[0])
    m.reset_variables()
    check(as_bytes(m.read_variable(0)) == b"\0" * 48, "reset")
    check(as_bytes(m.run(x)[0]) == first, "after a reset, the first output again")
    m.write_variable(0, moved)
    check(as_bytes(m.run(x)[0]) == second, "the state written back gives the second again")
    raises(lambda: m.write_variable(0, b"\0" * 47), errno.EINVAL, "has 48 bytes")
    raises(lambda: m.read_variable(1), errno.EINVAL, "the model has 1")
    if np is not None:
        raises(lambda: m.write_variable(0, np.zeros((1, 24), dtype=np.int8)), errno.EINVAL,
               "is int16")
    return "state %s carried, reset and written" % (v.shape,)


# ---- with an EdgeNPU ----------------------------------------------------------

def need_device():
    if not edgenpu.devices():
        raise Skip("no EdgeNPU")
    return edgenpu.Device()


def test_device_listed_and_opened():
    dev = need_device()
    check(dev.node == edgenpu.devices()[0], dev.node)
    check(dev.info["driver"] == "edgenpu", str(dev.info))
    check(dev.info["macs_per_cycle"] > 0 and dev.info["sram_size"] > 0, str(dev.info))
    return "%s: %d MACs/cycle" % (dev.node, dev.info["macs_per_cycle"])


def test_goldens_on_the_npu():
    return run_goldens(need_device())


def test_wait_times_out_on_a_hung_job():
    dev = need_device()
    bus = os.path.basename(os.readlink("/sys/class/accel/%s/device"
                                       % os.path.basename(dev.node)))
    inject = "/sys/kernel/debug/accel/%s/inject" % bus
    if not os.path.exists(inject):
        raise Skip("no fault injection (QEMU's debug=on, and root)")
    m = edgenpu.load(os.path.join(MODELS, "hello_world_int8.tflite"), dev)
    with open(inject, "w") as f:
        f.write("hang")
    r = m.submit(bytes([1]))
    t0 = time.monotonic()
    e = raises(lambda: r.wait(timeout=0.05), errno.ETIME, "")
    check(isinstance(e, edgenpu.Timeout), "not an edgenpu.Timeout: %r" % e)
    check(time.monotonic() - t0 < 5, "the wait was not bounded")
    # the driver's hang detection ends it: an error, never a hang here
    try:
        r.wait(timeout=30)
        raise AssertionError("a hung job's wait succeeded")
    except edgenpu.Timeout:
        raise AssertionError("the hung job was not ended by the driver within 30 s")
    except edgenpu.Error as e:
        check(str(e), "no message")
    r.release()
    # and the device serves the next one
    check(len(m.run(bytes([1]))) == 1, "no output after the hang")


def several_devices(what, seed):
    """Every EdgeNPU opened (Skip with fewer than two), person_detect's path,
    8 inputs and the CPU backend's outputs for them."""
    nodes = edgenpu.devices()
    if len(nodes) < 2:
        raise Skip("%d EdgeNPU(s): a %s needs two" % (len(nodes), what))
    devs = [edgenpu.Device(n) for n in nodes]
    pd = os.path.join(MODELS, "person_detect.tflite")
    cpu = edgenpu.load(pd)
    inputs = [bytes((i * seed + k) % 256 for i in range(96 * 96)) for k in range(8)]
    return devs, pd, inputs, [as_bytes(cpu.run(x)[0]) for x in inputs]


def test_pool_over_every_device():
    devs, pd, inputs, want = several_devices("pool", 31)
    with edgenpu.Pool(devs, pd, policy="round-robin", max_inflight=2) as pool:
        check(len(pool.models) == len(devs), "%d models" % len(pool.models))
        runs = [pool.submit(x) for x in inputs[:2 * len(devs)]]
        for k, r in enumerate(runs):
            check(as_bytes(r.wait(timeout=10)[0]) == want[k], "pool run %d differs" % k)
            r.release()
    raises(lambda: edgenpu.Pool(devs, pd, policy="random"), errno.EINVAL,
           "least-loaded or round-robin")
    return "%d devices" % len(devs)


def test_pipeline_over_every_device():
    devs, pd, inputs, want = several_devices("pipeline", 17)
    with edgenpu.pipeline(devs, pd, max_inflight=4) as m:
        used = sorted({layer.device for layer in m.layers if layer.unit == "NPU"})
        check(used == list(range(len(devs))), "stages on devices %s" % used)
        check(all(layer.device is None for layer in m.layers if layer.unit == "CPU"),
              "a CPU layer with a device")
        runs = [m.submit(x) for x in inputs[:4]]
        for k, r in enumerate(runs):
            check(as_bytes(r.wait(timeout=10)[0]) == want[k], "pipelined run %d differs" % k)
            r.release()
        check(as_bytes(m.run(inputs[5])[0]) == want[5], "pipelined run differs")
        raises(lambda: m.save("/tmp/pipelined.enpu"), errno.EINVAL, "pipelined")
    raises(lambda: edgenpu.pipeline([], pd), errno.EINVAL, "0 devices")
    return "%d devices" % len(devs)


TESTS = [test_version, test_goldens_on_the_cpu, test_compiled_file_runs_the_same,
         test_layers_say_why, test_errors_carry_the_message, test_submit_and_wait,
         test_model_variables, test_device_listed_and_opened, test_goldens_on_the_npu,
         test_wait_times_out_on_a_hung_job, test_pool_over_every_device,
         test_pipeline_over_every_device]


def main():
    mode = "numpy" if np is not None else "bytes"
    print("TAP version 13")
    print("1..%d" % len(TESTS))
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for i, t in enumerate(TESTS, 1):
        name = "%s[%s]" % (t.__name__, mode)
        try:
            note = t()
            print("ok %d %s%s" % (i, name, " (%s)" % note if note else ""))
            counts["pass"] += 1
        except Skip as e:
            print("ok %d %s # SKIP %s" % (i, name, e))
            counts["skip"] += 1
        except Exception as e:
            print("# %s: %s: %s" % (name, type(e).__name__, e))
            print("not ok %d %s" % (i, name))
            counts["fail"] += 1
        sys.stdout.flush()
    print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0"
          % (counts["pass"], counts["fail"], counts["skip"]))
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
