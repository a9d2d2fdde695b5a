"""A trained sound classifier on real recordings: fmstudio's sound job against the plain
PyTorch loop of the same network, on the same files, in one run.

Input: the fourteen 30-second AMI meeting clips (benchmarks/_datasets.ami_clips), each read
`--repeat` times. The model is the sound-effects CNN with a five-class head (seeded; speed does
not depend on what the head learnt). The plain loop decodes each file at 44.1 kHz, computes the
network's input and runs all of a file's windows through eager PyTorch in one batch; fmstudio
decodes the next file while the network hears this one, through the ONNX graph it checked
against PyTorch when the model loaded. Printed: recordings per second for each, how many files
got the same top class from both, and last the ratio (fmstudio / plain).

Run: .venv/bin/python benchmarks/bench_sound_classifier.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _datasets import ami_clips
from bench_sound import race, report_rates

from fmstudio.core.data.audio import load_audio
from fmstudio.core.sound import sfx_cnn, sfx_frontend
from fmstudio.core.sound.classifier import SoundClassifier, SoundNet
from fmstudio.core.sound.models import speed_up

LABELS = ["a", "b", "c", "d", "e"]


def plain_top(network: SoundNet, path: Path) -> str:
    """Decode, input, every window in one eager batch, loudness-weighted mean."""
    windows = sfx_frontend.windows(sfx_frontend.log_mel(load_audio(path, sfx_frontend.SAMPLE_RATE)))
    with torch.inference_mode():
        probs = network(windows).softmax(-1).numpy()
    weights = sfx_frontend.loudness(windows).numpy()
    return LABELS[int(np.average(probs, axis=0, weights=weights).argmax())]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = [path for path, _ in ami_clips()]
    torch.manual_seed(0)
    network = SoundNet(sfx_cnn.pretrained(), len(LABELS)).eval()
    model = speed_up(SoundClassifier("bench", network, LABELS))
    print(f"fmstudio runs on: {model.runtime}")
    _, fm, plain = race(files, lambda f: plain_top(network, f), model, args.repeat, "class")
    report_rates(fm, plain)


if __name__ == "__main__":
    main()
