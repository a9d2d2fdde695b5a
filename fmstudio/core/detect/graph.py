"""A converted TensorFlow graph run as a torch module, every weight a trainable parameter.

The bundled detector exists only as a TF.js graph (`scripts/convert_centernet.py` writes its
nodes and weights in torch's layouts). Running the node list here, in NCHW, keeps it a plain
`nn.Module`: it fine-tunes with any optimiser and exports to ONNX by tracing. Only the ops
that graph uses are known; TensorFlow's semantics that differ from torch's defaults are kept
(SAME padding is asymmetric at stride 2; its legacy bilinear resize samples at `i * in/out`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F


def _same_pad(x: torch.Tensor, kernel: int, stride: int) -> torch.Tensor:
    """TensorFlow's SAME padding: the odd pixel goes after, not before."""
    pads = []
    for size in (x.shape[3], x.shape[2]):
        total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


class Conv(nn.Module):
    def __init__(self, node: dict[str, Any], weight: torch.Tensor, bias: bool) -> None:
        super().__init__()
        out_channels, in_per_group, k, _ = weight.shape
        self.conv = nn.Conv2d(
            in_per_group * node["groups"],
            out_channels,
            k,
            node["stride"],
            groups=node["groups"],
            bias=bias,
        )
        self.same = node["same"]
        self.activation = {"relu": F.relu, "relu6": F.relu6, None: None}[node["activation"]]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.same:
            x = _same_pad(x, self.conv.kernel_size[0], self.conv.stride[0])
        y = self.conv(x)
        return self.activation(y) if self.activation is not None else y


class Arithmetic(nn.Module):
    """`x * c`, `x + c` (c a scalar or a per-channel parameter) or of two inputs."""

    def __init__(self, node: dict[str, Any], constant: torch.Tensor | None) -> None:
        super().__init__()
        self.op: Callable[[torch.Tensor, Any], torch.Tensor] = (
            torch.mul if node["op"] == "mul" else torch.add
        )
        self.scalar: float | None = node.get("scalar")
        self.constant = nn.Parameter(constant) if constant is not None else None

    def forward(self, x: torch.Tensor, other: torch.Tensor | None = None) -> torch.Tensor:
        if other is not None:
            return self.op(x, other)
        return self.op(x, self.constant if self.constant is not None else self.scalar)


def legacy_resize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """TensorFlow's ResizeBilinear without half-pixel centres: output i samples input
    i * in/out (torch's align_corners=False samples (i + 0.5) * in/out - 0.5)."""
    for dim, out in ((2, size[0]), (3, size[1])):
        n = x.shape[dim]
        source = torch.arange(out, dtype=x.dtype, device=x.device) * (n / out)
        low = source.floor().long().clamp(max=n - 1)
        high = (low + 1).clamp(max=n - 1)
        shape = [1, 1, 1, 1]
        shape[dim] = out
        frac = (source - low.to(x.dtype)).view(shape)
        x = x.index_select(dim, low) * (1 - frac) + x.index_select(dim, high) * frac
    return x


class Step(nn.Module):
    """The ops without weights."""

    def __init__(self, node: dict[str, Any]) -> None:
        super().__init__()
        self.op = node["op"]

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        x = xs[0]
        if self.op == "relu":
            return F.relu(x)
        if self.op == "relu6":
            return F.relu6(x)
        if self.op == "sigmoid":
            return torch.sigmoid(x)
        if self.op == "mean":
            return x.mean((2, 3), keepdim=True)
        if self.op == "concatv2":
            return torch.cat(xs, 1)
        if self.op == "resizebilinear":  # each of the graph's doubles (the converter checks)
            return legacy_resize(x, (x.shape[2] * 2, x.shape[3] * 2))
        return x  # identity


def build(node: dict[str, Any], index: int, state: dict[str, torch.Tensor]) -> nn.Module:
    if node["op"] == "conv":
        return Conv(node, state[f"{index}.weight"], f"{index}.bias" in state)
    if node["op"] in ("mul", "add"):
        return Arithmetic(node, state.get(f"{index}.constant"))
    return Step(node)


class GraphNet(nn.Module):
    """The graph's nodes in run order; `forward` returns the named outputs."""

    def __init__(self, document: dict[str, Any], state: dict[str, torch.Tensor]) -> None:
        super().__init__()
        nodes = document["nodes"]
        self.names = [n["name"] for n in nodes]
        self.inputs = [n["inputs"] for n in nodes]
        self.input_name = document["input"]
        self.outputs = dict(document["outputs"])
        self.nodes = nn.ModuleList(build(n, i, state) for i, n in enumerate(nodes))
        self.load_state_dict({f"nodes.{k}": v.float() for k, v in self._renamed(state).items()})

    def _renamed(self, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The converter's keys (`3.weight`) as this module's (`3.conv.weight`)."""
        renamed = {}
        for key, value in state.items():
            index, kind = key.split(".")
            renamed[f"{index}.conv.{kind}" if kind in ("weight", "bias") else key] = value
        return renamed

    def conv(self, name: str) -> Conv:
        """The convolution node called `name` (the class layer, say)."""
        node = self.nodes[self.names.index(name)]
        assert isinstance(node, Conv), name
        return node

    def exported_state(self) -> dict[str, torch.Tensor]:
        """The weights under the converter's keys, for saving beside the same graph."""
        state = {}
        for key, value in self.state_dict().items():
            state[key.removeprefix("nodes.").replace(".conv.", ".")] = value
        return state

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        values: dict[str, torch.Tensor] = {self.input_name: images}
        for name, inputs, node in zip(self.names, self.inputs, self.nodes, strict=True):
            values[name] = node(*(values[i] for i in inputs))
        return {key: values[name] for key, name in self.outputs.items()}
