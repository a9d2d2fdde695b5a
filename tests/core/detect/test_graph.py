"""The converted TF graph runs as TensorFlow would, and its weights are torch parameters."""

from __future__ import annotations

import torch

from fmstudio.core.detect.graph import _same_pad, legacy_resize


def test_legacy_resize_samples_at_i_times_in_over_out_as_tensorflow_does() -> None:
    """TF's ResizeBilinear without half-pixel centres: out[i] = in(i * 4/8), the last clamped
    (torch's align_corners=False would give 0.0, 0.25, 0.75, ...)."""
    row = torch.tensor([0.0, 1.0, 2.0, 3.0]).view(1, 1, 1, 4)
    out = legacy_resize(row.expand(1, 1, 4, 4), (8, 8))
    assert out[0, 0, 0].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.0]
    assert torch.equal(out[0, 0, :, 0], torch.zeros(8))


def test_same_padding_puts_the_odd_pixel_after_at_stride_two() -> None:
    x = torch.ones(1, 1, 8, 8)
    padded = _same_pad(x, kernel=3, stride=2)
    assert padded.shape[-2:] == (9, 9)
    assert padded[0, 0, 0, 0] == 1 and padded[0, 0, -1, -1] == 0  # nothing before, one after
    assert _same_pad(x, kernel=3, stride=1).shape[-2:] == (10, 10)


def test_every_weight_is_a_parameter_that_learns() -> None:
    """A few Adam steps on one image's class map move it: the detector is trainable."""
    from fmstudio.core.detect.models import bundled_folder, load_folder

    detector = load_folder(bundled_folder(), "centernet-coco")
    net = detector.net.train()
    values = sum(p.numel() for p in net.parameters())
    assert values == 2_014_924  # every value the TF.js weights file holds
    image = torch.rand(1, 3, 512, 512) * 255
    target = torch.zeros(1, 80, 128, 128)
    target[0, 15, 64, 64] = 1.0  # a cat in the middle
    optimiser = torch.optim.Adam(net.parameters(), lr=5e-5)
    losses = []
    for _ in range(4):
        logits = net(image)["heatmap_logits"]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.9
    saved = net.exported_state()
    from safetensors.torch import load_file

    assert set(saved) == set(load_file(str(bundled_folder() / "weights.safetensors")))
