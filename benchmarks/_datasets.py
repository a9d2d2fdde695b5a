"""Small real datasets that need no network, written as class folders for the benchmarks.

- digits: scikit-learn's handwritten digits (1,797 real 8x8 scans), upscaled to 64x64 PNG.
- docstrings: the docstrings of six standard-library packages (asyncio, email, xml, unittest,
  http/urllib, multiprocessing): real English text, one topic per package.
- movies: rated movie-review snippets (Pang & Lee's Rotten Tomatoes sentences, each rated by
  20 people) from the VADER paper's data in PyPI's vaderSentiment 3.3.2 source package (MIT):
  positive above +0.5, negative below -0.5, real short texts where words, not topics, decide.
- AMI meeting clips (`ami_clips`): fourteen 30-second clips of real meetings (the AMI corpus,
  CC BY 4.0) with their speaker turns, from PyPI's pyannote.audio 3.1.1 source package (MIT).

Each is split into a training folder (which fmstudio splits again for validation) and a
held-out test folder that neither fmstudio nor the probe sees while training.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import random
import subprocess
import sys
import tarfile
from pathlib import Path

DOC_PACKAGES = {
    "asyncio": ["asyncio"],
    "email": ["email"],
    "xml": ["xml"],
    "unittest": ["unittest"],
    "web": ["http", "urllib"],
    "multiprocessing": ["multiprocessing"],
}


def _write_split(
    root: Path, items: dict[str, list], train_n: int, test_n: int, write, seed: int
) -> tuple[Path, Path]:
    rng = random.Random(seed)
    train, test = root / "train", root / "test"
    for label, examples in items.items():
        examples = list(examples)
        rng.shuffle(examples)
        for split, chosen in (
            (train, examples[:train_n]),
            (test, examples[train_n : train_n + test_n]),
        ):
            folder = split / label
            folder.mkdir(parents=True, exist_ok=True)
            for i, example in enumerate(chosen):
                write(folder, i, example)
    return train, test


def digits(root: Path, train_n: int = 20, test_n: int = 30, seed: int = 0) -> tuple[Path, Path]:
    from PIL import Image
    from sklearn.datasets import load_digits

    data = load_digits()
    items: dict[str, list] = {}
    for image, target in zip(data.images, data.target, strict=True):
        items.setdefault(str(target), []).append(image)

    def write(folder: Path, i: int, image) -> None:
        pixels = (255 - image * 16).clip(0, 255).astype("uint8")
        Image.fromarray(pixels).resize((64, 64), Image.Resampling.BILINEAR).convert("RGB").save(
            folder / f"{i}.png"
        )

    return _write_split(root, items, train_n, test_n, write, seed)


def _docstrings(package_names: list[str]) -> list[str]:
    seen: set[str] = set()
    found: list[str] = []
    for name in package_names:
        package = importlib.import_module(name)
        modules = [package]
        for info in pkgutil.walk_packages(package.__path__, name + "."):
            if ".test" in info.name or "__main__" in info.name:
                continue
            try:
                modules.append(importlib.import_module(info.name))
            except Exception:  # a platform-specific module; skip it
                continue
        for module in modules:
            for _, obj in inspect.getmembers(module):
                if getattr(obj, "__module__", "") != module.__name__:
                    continue
                members = [obj] + (
                    [m for _, m in inspect.getmembers(obj)] if inspect.isclass(obj) else []
                )
                for member in members:
                    doc = inspect.getdoc(member) or ""
                    doc = " ".join(doc.split())
                    if len(doc) >= 80 and doc not in seen:
                        seen.add(doc)
                        found.append(doc)
    return sorted(found)


def docstrings(root: Path, train_n: int = 20, test_n: int = 30, seed: int = 0) -> tuple[Path, Path]:
    items = {label: _docstrings(packages) for label, packages in DOC_PACKAGES.items()}
    # Docstrings shared by two packages (inherited ones) would be labelled twice: drop them.
    counts: dict[str, int] = {}
    for docs in items.values():
        for d in docs:
            counts[d] = counts.get(d, 0) + 1
    items = {k: [d for d in v if counts[d] == 1] for k, v in items.items()}

    def write(folder: Path, i: int, text: str) -> None:
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")

    return _write_split(root, items, train_n, test_n, write, seed)


VADER_SDIST = "vaderSentiment==3.3.2"
VADER_DATA = "hutto_ICWSM_2014/{}_GroundTruth.txt"


def vader_snippets(kind: str = "movieReviewSnippets") -> list[tuple[float, str]]:
    """(mean rating, text) of one of the VADER paper's rated sets: `movieReviewSnippets`,
    `amazonReviewSnippets`, `nytEditorialSnippets` or `tweets` (downloaded once from PyPI)."""
    cache = Path.home() / ".cache" / "fmstudio-benchmarks"
    target = cache / VADER_DATA.format(kind)
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*command, "-d", str(cache), VADER_SDIST], check=True)
        with tarfile.open(next(cache.glob("vaderSentiment-*.tar.gz"))) as sdist:
            inner = next(m for m in sdist.getmembers() if m.name.endswith("ICWSM_2014.tar.gz"))
            data = sdist.extractfile(inner)
            assert data is not None
            with tarfile.open(fileobj=data) as resources:
                resources.extractall(cache, filter="data")
    rows = []
    for line in target.read_text("utf-8").splitlines():
        _, rating, text = line.split("\t", 2)
        rows.append((float(rating), text.strip()))
    return rows


def movies(root: Path, train_n: int = 750, test_n: int = 500, seed: int = 0) -> tuple[Path, Path]:
    rated = vader_snippets()
    items = {
        "positive": [t for r, t in rated if r > 0.5],
        "negative": [t for r, t in rated if r < -0.5],
    }

    def write(folder: Path, i: int, text: str) -> None:
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")

    return _write_split(root, items, train_n, test_n, write, seed)


NAMES = [
    "Siobhan",
    "Nguyen",
    "Kubernetes",
    "Grafana",
    "Aoife",
    "Dvorak",
    "Ptolemy",
    "Xavier",
    "Quinlan",
    "Okonkwo",
    "Saoirse",
    "Zbigniew",
    "Tomasz",
    "Ngozi",
    "Yevgeny",
    "Padraig",
]
THINGS = [
    "the kubelet logs",
    "the nginx ingress",
    "the postgres replica",
    "the kafka topic",
    "the redis cluster",
    "the terraform plan",
    "the helm chart",
    "the grafana panel",
    "the etcd snapshot",
    "the prometheus alert",
    "the istio sidecar",
    "the jenkins job",
]
VERBS = [
    "restart",
    "rollback",
    "inspect",
    "redeploy",
    "patch",
    "scale up",
    "drain",
    "audit",
    "snapshot",
    "migrate",
    "throttle",
    "quarantine",
]
WHEN = [
    "before the standup",
    "after lunch on Thursday",
    "tonight at nine",
    "by Friday noon",
    "during the maintenance window",
    "first thing on Monday",
    "right after the demo",
    "once the backup finishes",
]


def docstring_sentences(n: int, seed: int) -> list[str]:
    """Plain English sentences of 7 to 16 words from the standard library's docstrings: varied
    technical prose (asyncio, email, http...), so held-out sentences hold unseen words too."""
    import re

    packages = [p for names in DOC_PACKAGES.values() for p in names]
    found: set[str] = set()
    for doc in _docstrings(packages):
        for sentence in re.split(r"(?<=[.!?])\s+", doc):
            words = sentence.rstrip(".!?").split()
            if 7 <= len(words) <= 16 and all(re.fullmatch(r"[A-Za-z][a-z]*,?", w) for w in words):
                found.add(sentence if sentence.endswith(".") else sentence + ".")
    ordered = sorted(found)
    random.Random(seed).shuffle(ordered)
    if len(ordered) < n:
        raise ValueError(f"only {len(ordered)} usable docstring sentences; asked for {n}")
    return ordered[:n]


def jargon_sentences(n: int, seed: int) -> list[str]:
    """Sentences full of names and jargon a general model mishears: what users fine-tune for."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add(
            f"{rng.choice(NAMES)} will {rng.choice(VERBS)} {rng.choice(THINGS)} "
            f"{rng.choice(WHEN)} with {rng.choice(NAMES)}."
        )
    return sorted(out)


def espeak_clips(root: Path, sentences: list[str], voice: str = "en-us", speed: int = 150) -> Path:
    """One espeak-ng clip per sentence and an audiofolder `metadata.csv` naming them."""
    import csv
    import subprocess

    root.mkdir(parents=True, exist_ok=True)
    with open(root / "metadata.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file_name", "transcription"])
        for i, text in enumerate(sentences):
            name = f"clip{i:04d}.wav"
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(root / name), text],
                check=True,
            )
            writer.writerow([name, text])
    return root


PYANNOTE_SDIST = (
    "https://files.pythonhosted.org/packages/cf/8d/"
    "c6920c1c1fe439bee72c591297c69d32fe27218a96fd708e4d2274d5462c/pyannote.audio-3.1.1.tar.gz"
)


def ami_clips() -> list[tuple[Path, list[tuple[str, float, float]]]]:
    """(wav file, speaker turns as (speaker, start, end)) of each AMI clip that pyannote.audio
    3.1.1's tests use (downloaded once from PyPI: pip cannot fetch this sdist without building
    it, so it is read from PyPI's file host)."""
    import urllib.request

    folder = Path.home() / ".cache" / "fmstudio-benchmarks" / "pyannote-ami"
    if not (folder / "debug.train.rttm").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / "pyannote.audio-3.1.1.tar.gz"
        urllib.request.urlretrieve(PYANNOTE_SDIST, archive)
        with tarfile.open(archive) as sdist:
            for member in sdist.getmembers():
                if "/tests/data/" in member.name and member.name.endswith((".wav", ".rttm")):
                    member.name = Path(member.name).name
                    sdist.extract(member, folder, filter="data")
        archive.unlink()
    turns: dict[str, list[tuple[str, float, float]]] = {}
    for rttm in sorted(folder.glob("*.rttm")):
        for line in rttm.read_text().splitlines():
            fields = line.split()
            start, length = float(fields[3]), float(fields[4])
            turns.setdefault(fields[1], []).append((fields[7], start, start + length))
    return [(folder / f"{uri}.wav", spans) for uri, spans in sorted(turns.items())]


DRUM_CLASSES = (
    ("hihat", r"hat|hh\b"),
    ("kick", r"kick|bass ?drum|\bbd\b|\bkik"),
    ("snare", r"snare|\bsd\b"),
    ("tom", r"tom"),
    ("cymbal", r"crash|ride|cymbal|china|splash"),
)
DRUM_TEST_KITS = ("The Black Pearl 1.0", "ForzeeStereo", "Audiophob")
"""Whole kits are held out: a multi-layered kit's samples of one drum are the same hit at
several strengths, so splitting within a kit would test on near-copies of training clips."""


def _drumkits() -> Path:
    """Debian's hydrogen-drumkits (2017.09.19, GPL-2+ and CC licences per kit: real drum
    samples recorded by the kits' authors, many from freesound.org), unpacked once."""
    cache = Path.home() / ".cache" / "fmstudio-benchmarks" / "hydrogen-drumkits"
    kits = cache / "usr" / "share" / "hydrogen" / "data" / "drumkits"
    if not kits.is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "hydrogen-drumkits"], cwd=cache, check=True)
        deb = next(cache.glob("hydrogen-drumkits_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(cache)], check=True)
        deb.unlink()
    return kits


def _kit_samples(kit: Path) -> dict[str, list[Path]]:
    """A kit's sample files by drum, named from its drumkit.xml's instrument names."""
    import re
    import xml.etree.ElementTree as ET

    tree = ET.parse(kit / "drumkit.xml")
    found = re.match(r"\{.*\}", tree.getroot().tag)
    ns = found.group(0) if found else ""
    out: dict[str, list[Path]] = {}
    for instrument in tree.getroot().iter(f"{ns}instrument"):
        name = instrument.findtext(f"{ns}name") or ""
        drum = next((c for c, pattern in DRUM_CLASSES if re.search(pattern, name, re.I)), None)
        files = sorted({e.text for e in instrument.iter(f"{ns}filename") if e.text})
        if drum:
            out.setdefault(drum, []).extend(kit / f for f in files if (kit / f).is_file())
    return out


def drums(root: Path, train_n: int = 40, test_n: int = 25, seed: int = 0) -> tuple[Path, Path]:
    """Real drum hits in five classes (hihat, kick, snare, tom, cymbal) from the sample kits
    of Debian's hydrogen-drumkits: training kits and held-out kits (`DRUM_TEST_KITS`)."""
    import shutil

    rng = random.Random(seed)
    pools: dict[str, dict[str, list[Path]]] = {"train": {}, "test": {}}
    for kit in sorted(p for p in _drumkits().iterdir() if (p / "drumkit.xml").is_file()):
        split = "test" if kit.name in DRUM_TEST_KITS else "train"
        for drum, files in _kit_samples(kit).items():
            pools[split].setdefault(drum, []).extend(files)
    for split, limit in (("train", train_n), ("test", test_n)):
        for drum, files in pools[split].items():
            rng.shuffle(files)
            folder = root / split / drum
            folder.mkdir(parents=True, exist_ok=True)
            for i, path in enumerate(files[:limit]):
                shutil.copyfile(path, folder / f"{i:03d}{path.suffix.lower()}")
    return root / "train", root / "test"
