"""The fastest correct way to run an image classifier on its device.

CPU: the model's ONNX graph in ONNX Runtime (2.5x eager PyTorch here, same fp32 results),
checked against torch on every load; channels-last PyTorch where the graph cannot be made
or does not match. CUDA: PyTorch with fp16 autocast and channels-last.
"""

from __future__ import annotations

import torch
from torch import nn

from fmstudio.core.export import graphs

GRAPH = graphs.GraphSpec(
    ("pixel_values",), ("logits",), {"pixel_values": {0: "batch"}, "logits": {0: "batch"}}
)


class LogitsOnly(nn.Module):
    """The model with a plain tensor out (transformers models return an output object)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        out = self.model(pixel_values)
        logits: torch.Tensor = out.logits if hasattr(out, "logits") else out
        return logits


def example_batch(crop: int, size: int = 2) -> torch.Tensor:
    """A fixed, seeded batch shaped like the model's input: what graphs are checked on."""
    generator = torch.Generator().manual_seed(0)
    return torch.randn(size, 3, crop, crop, generator=generator)


def onnx_logits(model: nn.Module, crop: int, arch: str) -> graphs.OrtForward:
    """An ONNX Runtime forward pass for `model`, checked against torch (or GraphError)."""
    module = LogitsOnly(model).eval()
    digest = graphs.weights_digest(module, "image", arch, str(crop))
    return graphs.checked_forward(module, example_batch(crop), GRAPH, digest, top1=True)
