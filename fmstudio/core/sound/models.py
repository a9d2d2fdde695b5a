"""Loading sound models by catalogue entry (the modality table's `models`)."""

from __future__ import annotations

from pathlib import Path

from fmstudio.core.catalog import ModelEntry
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.export import graphs
from fmstudio.core.sound import sfx_cnn
from fmstudio.core.sound.classifier import SoundClassifier, load_library
from fmstudio.core.sound.exportable import GRAPH, example_windows
from fmstudio.core.sound.yamnet import NAME, SoundTagger


def load(entry: ModelEntry, device: str = "cpu") -> SoundTagger | SoundClassifier:
    """The bundled YAMNet (in ONNX Runtime on the CPU whatever the device), or a sound
    classifier trained by fmstudio on `device`."""
    if entry.source == "library":
        return load_library(Path(entry.location), device)
    if entry.source == "bundled" and entry.name == NAME:
        return SoundTagger(entry.name)
    if entry.source == "bundled" and entry.name == sfx_cnn.NAME:
        raise ModelUnavailableError(
            f"{entry.name} names no sounds itself: it is the base that sound classifiers are "
            "trained from (Train > Sound classifier), or try the bundled yamnet"
        )
    raise ModelUnavailableError(
        f"{entry.name}: sounds are named by the bundled {NAME} or by a sound classifier "
        "trained in fmstudio"
    )


def speed_up(model: SoundTagger | SoundClassifier) -> SoundTagger | SoundClassifier:
    """A trained classifier on the CPU runs its checked ONNX graph: about twice eager
    PyTorch on 2 cores (benchmarks/bench_sound.py). The tagger is ONNX already."""
    if not isinstance(model, SoundClassifier):
        return model
    if model.device != "cpu":
        model.runtime = f"PyTorch on {model.device}"
        return model
    if not graphs.fast_paths_wanted():
        model.runtime = f"PyTorch (ONNX Runtime turned off by {graphs.RUNTIME_ENV}=torch)"
        return model
    digest = graphs.weights_digest(model.network, "sound")
    try:
        model.fast = graphs.checked_forward(
            model.network.eval(), example_windows(), GRAPH, digest, top1=True
        )
        model.runtime = "ONNX Runtime on CPU"
    except graphs.GraphError as exc:
        model.runtime = f"PyTorch ({exc})"
    return model
