# SPDX-License-Identifier: MIT
"""EdgeNPU from Python: libedgenpu through ctypes, standard library only.

    import edgenpu
    dev = edgenpu.Device()                      # the first EdgeNPU
    model = edgenpu.load("person_detect.tflite", dev)   # .tflite or .enpu
    out, = model.run(image)                     # numpy arrays, or bytes
    run = model.submit(image); out, = run.wait(timeout=1.0)
    for layer in model.layers: print(layer.type, layer.unit, layer.reason)

Inputs are numpy arrays (when numpy is importable) or bytes-like objects
of exactly the input's size; outputs are numpy arrays of the output's shape
and type when numpy is importable (EDGENPU_NO_NUMPY=1 turns that off),
else bytes. Every failure raises edgenpu.Error carrying the library's
message; a wait that times out raises edgenpu.Timeout. The library is
libedgenpu.so.0, or the file $EDGENPU_LIBRARY names.
"""

import ctypes
import errno as _errno
import os
from collections import namedtuple

__all__ = ["Error", "Timeout", "Device", "Model", "Run", "Pool", "TensorInfo", "Layer",
           "devices", "load", "pipeline", "compile", "library_version"]

try:
    if os.environ.get("EDGENPU_NO_NUMPY") == "1":
        raise ImportError("turned off by EDGENPU_NO_NUMPY")
    import numpy as _np
except ImportError:
    _np = None

_lib = ctypes.CDLL(os.environ.get("EDGENPU_LIBRARY") or "libedgenpu.so.0")

# ---- the C structures (libedgenpu/include/edgenpu/edgenpu.h) -----------------

_MAX_RANK = 4
_DTYPES = {1: "int8", 2: "int32", 3: "float32", 4: "int16", 5: "int64"}
_ITEMSIZE = {1: 1, 2: 4, 3: 4}


class _DeviceInfo(ctypes.Structure):
    _fields_ = [("node", ctypes.c_char * 64), ("driver", ctypes.c_char * 32),
                ("driver_major", ctypes.c_uint32), ("driver_minor", ctypes.c_uint32),
                ("driver_patch", ctypes.c_uint32), ("pci_vendor", ctypes.c_uint32),
                ("pci_device", ctypes.c_uint32), ("hw_id", ctypes.c_uint32),
                ("hw_version", ctypes.c_uint32), ("hw_caps", ctypes.c_uint32),
                ("irq_vectors", ctypes.c_uint32), ("macs_per_cycle", ctypes.c_uint32),
                ("clock_mhz", ctypes.c_uint32), ("dram_bw_mbps", ctypes.c_uint32),
                ("sram_bw_mbps", ctypes.c_uint32), ("sram_size", ctypes.c_uint64),
                ("peak_gops", ctypes.c_uint64)]


class _TensorInfo(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int),
                ("dims", ctypes.c_int32 * _MAX_RANK), ("bytes", ctypes.c_size_t),
                ("scale", ctypes.c_float), ("zero_point", ctypes.c_int32)]


class _LayerInfo(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("on_npu", ctypes.c_int), ("segment", ctypes.c_int),
                ("est_cycles", ctypes.c_uint64), ("macs", ctypes.c_uint64),
                ("output_in_sram", ctypes.c_int), ("weights_prefetched", ctypes.c_int),
                ("cpu_ns", ctypes.c_uint64)]


class _Profile(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("wall_ns", ctypes.c_uint64),
                ("device_ns", ctypes.c_uint64), ("device_cycles", ctypes.c_uint64),
                ("macs", ctypes.c_uint64), ("dram_read", ctypes.c_uint64),
                ("dram_write", ctypes.c_uint64), ("sram_read", ctypes.c_uint64),
                ("sram_write", ctypes.c_uint64), ("stall_cycles", ctypes.c_uint64),
                ("cpu_ns", ctypes.c_uint64), ("submits", ctypes.c_uint32),
                ("ioctls", ctypes.c_uint32)]


class _CompileOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("flags", ctypes.c_uint32),
                ("max_inflight", ctypes.c_uint), ("max_activation_bytes", ctypes.c_uint64)]


class _Target(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 32), ("hw_version", ctypes.c_uint32),
                ("macs_per_cycle", ctypes.c_uint32), ("clock_mhz", ctypes.c_uint32),
                ("dram_bw_mbps", ctypes.c_uint32), ("sram_bw_mbps", ctypes.c_uint32),
                ("sram_size", ctypes.c_uint64)]


def _new_profile():
    prof = _Profile()
    prof.size = ctypes.sizeof(prof)
    return prof


def _profile_dict(prof):
    return {name: getattr(prof, name) for name, _ in _Profile._fields_ if name != "size"}


_COMPILE_NO_SRAM = 1 << 0
_COMPILE_NO_PREFETCH = 1 << 1
_ORIGINS = {0: "compiled", 1: "file", 2: "cache"}

_P = ctypes.c_void_p
_PP = ctypes.POINTER(ctypes.c_void_p)


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_open = _fn("enpu_open", ctypes.c_int, _PP, ctypes.c_char_p)
_close = _fn("enpu_close", None, _P)
_query = _fn("enpu_query", ctypes.c_int, _P, ctypes.POINTER(_DeviceInfo), ctypes.c_size_t)
_last_error = _fn("enpu_last_error", ctypes.c_char_p)
_version = _fn("enpu_version_string", ctypes.c_char_p)
_load = _fn("enpu_model_load", ctypes.c_int, _P, ctypes.c_char_p,
            ctypes.POINTER(_CompileOptions), _PP)
_load_mem = _fn("enpu_model_load_mem", ctypes.c_int, _P, ctypes.c_char_p, ctypes.c_size_t,
                ctypes.POINTER(_CompileOptions), _PP)
_load_tflite = _fn("enpu_model_load_tflite", ctypes.c_int, ctypes.c_char_p, _PP)
_graph_destroy = _fn("enpu_graph_destroy", None, _P)
_compile_target = _fn("enpu_model_compile_target", ctypes.c_int, ctypes.POINTER(_Target), _P,
                      ctypes.POINTER(_CompileOptions), _PP)
_target_load = _fn("enpu_target_load", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(_Target))
_destroy = _fn("enpu_model_destroy", None, _P)
_save = _fn("enpu_model_save", ctypes.c_int, _P, ctypes.c_char_p)
_origin = _fn("enpu_model_origin", ctypes.c_int, _P)
_num_inputs = _fn("enpu_model_num_inputs", ctypes.c_size_t, _P)
_num_outputs = _fn("enpu_model_num_outputs", ctypes.c_size_t, _P)
_input_info = _fn("enpu_model_input_info", ctypes.c_int, _P, ctypes.c_size_t,
                  ctypes.POINTER(_TensorInfo))
_output_info = _fn("enpu_model_output_info", ctypes.c_int, _P, ctypes.c_size_t,
                   ctypes.POINTER(_TensorInfo))
_run = _fn("enpu_model_run", ctypes.c_int, _P, _PP, _PP, ctypes.POINTER(_Profile))
_submit = _fn("enpu_model_submit", ctypes.c_int, _P, _PP, _PP)
_wait = _fn("enpu_run_wait", ctypes.c_int, _P, ctypes.c_int64, _PP, ctypes.POINTER(_Profile))
_release = _fn("enpu_run_release", None, _P)
_num_layers = _fn("enpu_model_num_layers", ctypes.c_size_t, _P)
_layer_info = _fn("enpu_model_layer_info", ctypes.c_int, _P, ctypes.c_size_t,
                  ctypes.POINTER(_LayerInfo))
_layer_reason = _fn("enpu_model_layer_reason", ctypes.c_char_p, _P, ctypes.c_size_t)
_type_name = _fn("enpu_layer_type_name", ctypes.c_char_p, ctypes.c_int)
_list = _fn("enpu_list", ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t)
_pool_load = _fn("enpu_pool_load", ctypes.c_int, _PP, ctypes.c_size_t, ctypes.c_char_p,
                 ctypes.POINTER(_CompileOptions), ctypes.c_int, _PP)
_pool_submit = _fn("enpu_pool_submit", ctypes.c_int, _P, _PP, _PP)
_pool_size = _fn("enpu_pool_size", ctypes.c_size_t, _P)
_pool_model = _fn("enpu_pool_model", _P, _P, ctypes.c_size_t)
_pool_destroy = _fn("enpu_pool_destroy", None, _P)
_pipeline_load = _fn("enpu_pipeline_load", ctypes.c_int, _PP, ctypes.c_size_t, ctypes.c_char_p,
                     ctypes.POINTER(_CompileOptions), _PP)
_layer_device = _fn("enpu_model_layer_device", ctypes.c_int, _P, ctypes.c_size_t)
_num_variables = _fn("enpu_model_num_variables", ctypes.c_size_t, _P)
_variable_info = _fn("enpu_model_variable_info", ctypes.c_int, _P, ctypes.c_size_t,
                     ctypes.POINTER(_TensorInfo))
_variable_read = _fn("enpu_model_variable_read", ctypes.c_int, _P, ctypes.c_size_t,
                     ctypes.c_void_p, ctypes.c_size_t)
_variable_write = _fn("enpu_model_variable_write", ctypes.c_int, _P, ctypes.c_size_t,
                      ctypes.c_void_p, ctypes.c_size_t)
_reset_variables = _fn("enpu_model_reset_variables", ctypes.c_int, _P)


class Error(Exception):
    """A libedgenpu failure: .errno (positive), and the library's message."""

    def __init__(self, err, message):
        super().__init__(message)
        self.errno = err


class Timeout(Error):
    """A wait that timed out (errno ETIME); the run can be waited for again."""


def _check(ret, what=None):
    if ret == 0:
        return
    msg = (_last_error() or b"").decode(errors="replace")
    if what and not msg:
        msg = what
    err = -ret if ret < 0 else _errno.EPROTO
    if err in (_errno.ETIME, _errno.ETIMEDOUT):
        raise Timeout(err, msg or "timed out")
    raise Error(err, msg or os.strerror(err))


def library_version():
    """The library's version, e.g. "0.6.0"."""
    return _version().decode()


# ---- devices --------------------------------------------------------------------

def devices():
    """The EdgeNPUs' device nodes, in enpu_open()'s order (enpu_list())."""
    n = _list(None, 0)
    if n < 0:
        _check(n)
    if n == 0:
        return []
    buf = (ctypes.c_char * 64 * n)()
    n = min(_list(buf, n), n)
    return [buf[i].value.decode() for i in range(n)]


class _Closing:
    """close() on leaving a with block and when collected."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class Device(_Closing):
    """An open EdgeNPU: Device() for the first one, Device("/dev/accel/accel1")."""

    def __init__(self, path=None):
        self._dev = ctypes.c_void_p()
        _check(_open(ctypes.byref(self._dev), path.encode() if path else None))
        raw = _DeviceInfo()
        _check(_query(self._dev, ctypes.byref(raw), ctypes.sizeof(raw)))
        self.info = {name: (getattr(raw, name).decode() if isinstance(getattr(raw, name), bytes)
                            else getattr(raw, name)) for name, _ in _DeviceInfo._fields_}
        self.node = self.info["node"]

    def close(self):
        if self._dev:
            _close(self._dev)
            self._dev = ctypes.c_void_p()

    def __repr__(self):
        return "<edgenpu.Device %s>" % self.node


# ---- models ---------------------------------------------------------------------

TensorInfo = namedtuple("TensorInfo", "dtype shape bytes scale zero_point")
Layer = namedtuple("Layer", "index type unit job est_cycles macs output_in_sram "
                   "weights_prefetched reason device")


def _tensor_info(raw):
    return TensorInfo(_DTYPES.get(raw.dtype, str(raw.dtype)),
                      tuple(raw.dims[i] for i in range(raw.rank)), raw.bytes,
                      raw.scale, raw.zero_point)


def _options(no_sram=False, no_prefetch=False, max_inflight=None):
    opt = _CompileOptions()
    opt.size = ctypes.sizeof(opt)
    opt.flags = (_COMPILE_NO_SRAM if no_sram else 0) | (_COMPILE_NO_PREFETCH if no_prefetch else 0)
    opt.max_inflight = max_inflight or 0
    return opt


class Model(_Closing):
    """A compiled model (edgenpu.load(), edgenpu.compile())."""

    def __init__(self, handle, device=None):
        self._m = handle
        self.device = device        # kept open as long as the model
        self.inputs = []
        self.outputs = []
        for i in range(_num_inputs(handle)):
            raw = _TensorInfo()
            _check(_input_info(handle, i, ctypes.byref(raw)))
            self.inputs.append(_tensor_info(raw))
        for i in range(_num_outputs(handle)):
            raw = _TensorInfo()
            _check(_output_info(handle, i, ctypes.byref(raw)))
            self.outputs.append(_tensor_info(raw))
        self.profile = None

    @property
    def origin(self):
        """"compiled" (in this process), "file" (a .enpu) or "cache"."""
        return _ORIGINS.get(_origin(self._m), "?")

    @property
    def layers(self):
        """Where each layer runs, its estimate, and why it is not on the NPU."""
        out = []
        for i in range(_num_layers(self._m)):
            raw = _LayerInfo()
            _check(_layer_info(self._m, i, ctypes.byref(raw)))
            why = _layer_reason(self._m, i)
            out.append(Layer(i, _type_name(raw.type).decode(), "NPU" if raw.on_npu else "CPU",
                             raw.segment, raw.est_cycles, raw.macs, bool(raw.output_in_sram),
                             bool(raw.weights_prefetched), why.decode() if why else None,
                             None if raw.on_npu == 0 else _layer_device(self._m, i)))
        return out

    def save(self, path):
        """Writes the compiled model to @path (a .enpu file)."""
        _check(_save(self._m, os.fsencode(path)))

    @property
    def variables(self):
        """The state the model keeps across inferences (SVDF's): a TensorInfo each."""
        out = []
        for i in range(_num_variables(self._m)):
            raw = _TensorInfo()
            _check(_variable_info(self._m, i, ctypes.byref(raw)))
            out.append(_tensor_info(raw))
        return out

    def read_variable(self, i):
        """Variable @i's value now (a numpy array, or bytes without numpy)."""
        info = self._variable(i)
        buf = ctypes.create_string_buffer(max(1, info.bytes))
        _check(_variable_read(self._m, i, ctypes.cast(buf, ctypes.c_void_p), info.bytes))
        raw = buf.raw[:info.bytes]
        if _np is not None:
            return _np.frombuffer(raw, dtype=info.dtype).reshape(info.shape).copy()
        return raw

    def write_variable(self, i, value):
        """Sets variable @i (exactly its bytes: a numpy array of its type, or bytes)."""
        info = self._variable(i)
        if _np is not None and isinstance(value, _np.ndarray):
            if value.dtype != _np.dtype(info.dtype):
                raise Error(_errno.EINVAL, "variable %d is %s; %s given"
                            % (i, info.dtype, value.dtype))
            data = _np.ascontiguousarray(value).tobytes()
        else:
            data = bytes(memoryview(value).cast("B"))
        if len(data) != info.bytes:
            raise Error(_errno.EINVAL, "variable %d has %d bytes (%s %s); %d given"
                        % (i, info.bytes, info.dtype, info.shape, len(data)))
        buf = ctypes.create_string_buffer(data, len(data))
        _check(_variable_write(self._m, i, ctypes.cast(buf, ctypes.c_void_p), len(data)))

    def reset_variables(self):
        """Every variable back to its initial value (TFLite's ResetVariableTensors)."""
        _check(_reset_variables(self._m))

    def _variable(self, i):
        variables = self.variables
        if not 0 <= i < len(variables):
            raise Error(_errno.EINVAL, "variable %d: the model has %d" % (i, len(variables)))
        return variables[i]

    def _input_array(self, values):
        if len(values) != len(self.inputs):
            raise Error(_errno.EINVAL, "the model has %d input(s), %d given"
                        % (len(self.inputs), len(values)))
        keep, ptrs = [], (ctypes.c_void_p * max(1, len(values)))()
        for i, (v, info) in enumerate(zip(values, self.inputs)):
            if _np is not None and isinstance(v, _np.ndarray):
                if v.dtype != _np.dtype(info.dtype):
                    raise Error(_errno.EINVAL, "input %d is %s; the model takes %s"
                                % (i, v.dtype, info.dtype))
                v = _np.ascontiguousarray(v)
                data = v.tobytes()
            else:
                data = bytes(memoryview(v).cast("B"))
            if len(data) != info.bytes:
                raise Error(_errno.EINVAL, "input %d has %d bytes; the model takes exactly %d "
                            "(%s %s)" % (i, len(data), info.bytes, info.dtype, info.shape))
            buf = ctypes.create_string_buffer(data, len(data))
            keep.append(buf)
            ptrs[i] = ctypes.cast(buf, ctypes.c_void_p)
        return keep, ptrs

    def _output_buffers(self):
        bufs = [ctypes.create_string_buffer(max(1, o.bytes)) for o in self.outputs]
        ptrs = (ctypes.c_void_p * max(1, len(bufs)))()
        for i, b in enumerate(bufs):
            ptrs[i] = ctypes.cast(b, ctypes.c_void_p)
        return bufs, ptrs

    def _results(self, bufs):
        out = []
        for b, info in zip(bufs, self.outputs):
            raw = b.raw[:info.bytes]
            if _np is not None:
                out.append(_np.frombuffer(raw, dtype=info.dtype).reshape(info.shape).copy())
            else:
                out.append(raw)
        return out

    def run(self, *inputs):
        """One inference; the outputs, in order. self.profile: what it cost."""
        keep, ins = self._input_array(inputs)
        bufs, outs = self._output_buffers()
        prof = _new_profile()
        _check(_run(self._m, ctypes.cast(ins, _PP), ctypes.cast(outs, _PP), ctypes.byref(prof)))
        del keep
        self.profile = _profile_dict(prof)
        return self._results(bufs)

    def submit(self, *inputs):
        """Starts an inference; Run.wait() gives its outputs."""
        keep, ins = self._input_array(inputs)
        handle = ctypes.c_void_p()
        _check(_submit(self._m, ctypes.cast(ins, _PP), ctypes.byref(handle)))
        del keep
        return Run(self, handle)

    def close(self):
        if self._m:
            _destroy(self._m)
            self._m = None


class Run:
    """An inference in flight (Model.submit())."""

    def __init__(self, model, handle):
        self.model = model
        self._r = handle

    def wait(self, timeout=None):
        """The outputs; timeout in seconds (None: as long as it takes)."""
        if not self._r:
            raise Error(_errno.EINVAL, "this run was released")
        bufs, outs = self.model._output_buffers()
        ns = -1 if timeout is None else max(0, int(timeout * 1e9))
        prof = _new_profile()
        _check(_wait(self._r, ns, ctypes.cast(outs, _PP), ctypes.byref(prof)))
        self.profile = _profile_dict(prof)
        return self.model._results(bufs)

    def release(self):
        if self._r:
            _release(self._r)
            self._r = None

    def __del__(self):
        try:
            self.release()
        except Exception:
            pass


class _PoolModel(Model):
    """A pool's model on one device: owned by the pool, not destroyed here."""

    def close(self):
        self._m = None


def _device_array(devices):
    """The devices' handles as the C array enpu_pool_load()/enpu_pipeline_load() take."""
    devs = (ctypes.c_void_p * max(1, len(devices)))()
    for i, d in enumerate(devices):
        devs[i] = d._dev
    return devs


class Pool(_Closing):
    """One model on several devices, independent inferences spread over them.

    Pool(devices, "model.tflite") compiles it once, for the first device,
    and loads that compiled model on each (a device of other capabilities
    is an Error); submit() sends each inference to the device with the
    fewest in flight (policy "least-loaded") or to each in turn
    ("round-robin").
    """

    _POLICIES = {"least-loaded": 0, "round-robin": 1}

    def __init__(self, devices, path, policy="least-loaded", max_inflight=None):
        if policy not in self._POLICIES:
            raise Error(_errno.EINVAL, "policy is least-loaded or round-robin, not %r" % policy)
        self.devices = list(devices)
        devs = _device_array(self.devices)
        opt = _options(max_inflight=max_inflight)
        self._p = ctypes.c_void_p()
        _check(_pool_load(ctypes.cast(devs, _PP), len(self.devices), os.fsencode(path),
                          ctypes.byref(opt), self._POLICIES[policy], ctypes.byref(self._p)))
        self.models = [_PoolModel(_pool_model(self._p, i))
                       for i in range(_pool_size(self._p))]

    def submit(self, *inputs):
        """Starts an inference on one of the devices; Run.wait() gives its outputs."""
        model = self.models[0]
        keep, ins = model._input_array(inputs)
        handle = ctypes.c_void_p()
        _check(_pool_submit(self._p, ctypes.cast(ins, _PP), ctypes.byref(handle)))
        del keep
        return Run(model, handle)

    def close(self):
        if self._p:
            for m in self.models:
                m.close()
            _pool_destroy(self._p)
            self._p = None


def load(source, device=None, max_inflight=None, no_sram=False, no_prefetch=False):
    """A model from a .tflite or .enpu file (a path), or their bytes.

    With a Device, for its NPU (a .tflite through the compile cache); with
    none, for the CPU backend (the same results, bit for bit).
    """
    handle = ctypes.c_void_p()
    opt = _options(no_sram, no_prefetch, max_inflight)
    dev = device._dev if device is not None else None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        _check(_load_mem(dev, data, len(data), ctypes.byref(opt), ctypes.byref(handle)))
    else:
        _check(_load(dev, os.fsencode(source), ctypes.byref(opt), ctypes.byref(handle)))
    return Model(handle, device)


def pipeline(devices, path, max_inflight=None):
    """One model pipelined over several devices: a Model whose layers run
    in stages, stage i on devices[i] (Layer.device), so that inferences
    submitted one after another overlap. From a .tflite (through the compile
    cache) or a .enpu; nothing is compiled again for the pipeline."""
    devices = list(devices)
    devs = _device_array(devices)
    opt = _options(max_inflight=max_inflight)
    handle = ctypes.c_void_p()
    _check(_pipeline_load(ctypes.cast(devs, _PP), len(devices), os.fsencode(path),
                          ctypes.byref(opt), ctypes.byref(handle)))
    model = Model(handle, devices[0])
    model.devices = devices     # kept open as long as the model
    return model


def compile(path, target="default", no_sram=False, no_prefetch=False):
    """Compiles a .tflite for a target with no device ("default", or a target
    file edgenpu-info --target wrote): a model to inspect (.layers) and
    save (.save("model.enpu")); it does not run."""
    tgt = _Target()
    _check(_target_load(os.fsencode(target), ctypes.byref(tgt)))
    graph = ctypes.c_void_p()
    _check(_load_tflite(os.fsencode(path), ctypes.byref(graph)))
    handle = ctypes.c_void_p()
    opt = _options(no_sram, no_prefetch)
    try:
        _check(_compile_target(ctypes.byref(tgt), graph, ctypes.byref(opt),
                               ctypes.byref(handle)))
    finally:
        _graph_destroy(graph)
    return Model(handle)
