"""Torch models as ONNX graphs: exported atomically, checked against torch, run in ONNX Runtime.

On a CPU, ONNX Runtime runs the bundled models 2-4x faster than eager PyTorch with the
same fp32 arithmetic (benchmarks/bench_image_classify.py). The `fmstudio export` command
writes these graphs for the user; the classify jobs keep one per model in the cache,
named by a digest of its weights, so a retrained model never runs an old graph.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_target

TOLERANCE = 1e-3
"""Largest difference allowed between torch's and the graph's logits, relative to their range."""

RUNTIME_ENV = "FMSTUDIO_RUNTIME"
"""`torch` turns the faster paths off, ONNX Runtime and bf16 alike: plain fp32 PyTorch (to
compare, or to rule them out in a bug report)."""


class GraphError(Exception):
    """A model could not be exported, or its graph does not compute what torch computes."""


@dataclass(frozen=True)
class GraphSpec:
    """The names of a graph's inputs and outputs and which of their axes vary."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    dynamic: dict[str, dict[int, str]]


@dataclass
class Exportable:
    """What a modality hands the export job: a module with plain tensors in and out, inputs
    to trace and check it on, and what a user needs beside the graph to use it."""

    module: nn.Module
    example: tuple[torch.Tensor, ...]
    spec: GraphSpec
    metadata: dict[str, Any]
    """Classes, preprocessing, input names: written to fmstudio-export.json."""
    save_extras: Callable[[Path], None] = field(default=lambda folder: None)
    """Writes the files the graph needs beside it (a text model's tokenizer)."""


def fast_paths_wanted() -> bool:
    """Whether the user left the faster paths on (see RUNTIME_ENV)."""
    return os.environ.get(RUNTIME_ENV, "").lower() != "torch"


def weights_digest(module: nn.Module, *extra: str) -> str:
    """A digest of every parameter and buffer (and `extra` strings, e.g. the architecture)."""
    digest = hashlib.sha256("\0".join((torch.__version__, *extra)).encode())
    for name, tensor in module.state_dict().items():
        digest.update(name.encode())
        digest.update(
            tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        )
    return digest.hexdigest()[:24]


_exporting = threading.Lock()
"""One ONNX export at a time: torch's exporter keeps process-wide state, and a second export
on another thread failed with "GLOBALS.in_onnx_export must be False" (the Image and Detect
tabs preloading at once), leaving that model on plain PyTorch."""


def export_onnx(
    module: nn.Module,
    example: Sequence[torch.Tensor],
    spec: GraphSpec,
    path: Path,
    metadata: dict[str, str] | None = None,
) -> None:
    """Write `module` as an ONNX graph to `path` (whole, or not at all), with `metadata` in
    the model's metadata_props, where any ONNX runtime can read it."""
    try:
        import onnx  # torch's exporter needs it: say so plainly if it is missing
    except ImportError as exc:
        raise GraphError("the onnx package is not installed (pip install onnx)") from exc
    with _exporting, atomic_target(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                module.eval(),
                tuple(example),
                str(tmp),
                input_names=list(spec.inputs),
                output_names=list(spec.outputs),
                dynamic_axes={**spec.dynamic},
                opset_version=17,
                dynamo=False,
            )
        except Exception as exc:  # an exporter failure is a reason to stay on torch, not a crash
            raise GraphError(f"ONNX export failed: {type(exc).__name__}: {exc}") from exc
        if metadata:
            graph = onnx.load(str(tmp))
            onnx.helper.set_model_props(graph, metadata)
            onnx.save(graph, str(tmp))


def export_torchscript(module: nn.Module, example: Sequence[torch.Tensor], path: Path) -> None:
    """Write `module` traced on `example` as TorchScript (loads with `torch.jit.load`)."""
    with _exporting, atomic_target(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            traced = torch.jit.trace(module.eval(), tuple(example), strict=False)
        except Exception as exc:
            raise GraphError(f"TorchScript tracing failed: {type(exc).__name__}: {exc}") from exc
        traced.save(str(tmp))


def session(path: Path, threads: int | None = None) -> Any:
    """An ONNX Runtime CPU session that does not spin idle threads (decoding shares the cores)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def mismatch(expected: np.ndarray, got: np.ndarray, top1: bool = True) -> str:
    """Why `got` is not `expected` within TOLERANCE (and, for logits, with the same top-1);
    "" when it is."""
    if expected.shape != got.shape:
        return f"output shape {got.shape} differs from torch's {expected.shape}"
    worst = largest_difference(expected, got)
    if not np.isfinite(worst) or worst > TOLERANCE:
        return f"outputs differ from torch's by {worst:.2e} (relative), over {TOLERANCE:g}"
    if top1 and expected.ndim == 2 and (expected.argmax(-1) != got.argmax(-1)).any():
        return "the top class differs from torch's"
    return ""


def largest_difference(expected: np.ndarray, got: np.ndarray) -> float:
    return float(np.abs(expected - got).max()) / max(float(np.abs(expected).max()), 1.0)


def check(module: nn.Module, example: Sequence[torch.Tensor], got: np.ndarray, top1: bool) -> float:
    """`got` (a graph's output on `example`) against `module`'s own: the largest relative
    difference, or GraphError saying how they differ."""
    with torch.inference_mode():
        expected = module(*example).float().numpy()
    problem = mismatch(expected, got, top1)
    if problem:
        raise GraphError(problem)
    return largest_difference(expected, got)


def none_cached() -> bool:
    """No graph was made yet on this machine: the first load converts (tens of seconds)."""
    folder = paths.cache_dir() / "onnx"
    return not folder.is_dir() or not any(folder.glob("*.onnx"))


def cache_path(digest: str) -> Path:
    return paths.cache_dir() / "onnx" / f"{digest}.onnx"


def cached_graph(
    module: nn.Module, example: Sequence[torch.Tensor], spec: GraphSpec, digest: str
) -> Path:
    """The cached graph of `module` (exported now if this exact model has none yet)."""
    path = cache_path(digest)
    if not path.is_file():
        export_onnx(module, example, spec, path)
    return path


class OrtForward:
    """A one-input, one-output graph in an ONNX Runtime session, on torch tensors."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.input = session.get_inputs()[0].name

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        array = batch.detach().cpu().float().contiguous().numpy()
        return torch.from_numpy(self.session.run(None, {self.input: array})[0])


def checked_forward(
    module: nn.Module, example: torch.Tensor, spec: GraphSpec, digest: str, top1: bool
) -> OrtForward:
    """`module`'s cached graph in ONNX Runtime, checked against torch on `example` (or
    GraphError); a graph ONNX Runtime cannot run is deleted, to be made again next time."""
    path = cached_graph(module, [example], spec, digest)
    try:
        run = OrtForward(session(path))
        got = run(example).numpy()
    except Exception as exc:  # a corrupt cached graph
        path.unlink(missing_ok=True)
        raise GraphError(f"ONNX Runtime could not run the graph: {exc}") from exc
    check(module, [example], got, top1=top1)
    return run
