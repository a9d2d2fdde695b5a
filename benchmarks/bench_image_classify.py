"""Image classification throughput: fmstudio's classify job against a plain timm loop.

Both use the same model (the bundled EfficientNet-Lite0), preprocessing and batch size on the
same photo-sized JPEGs; the plain loop decodes each file in full and runs the model batch by
batch, as one would write it by hand. First the model alone on each CPU path (eager,
channels-last, bf16 autocast, ONNX Runtime, torch.compile), then images/s of both jobs end to
end, their top-1 agreement, and the ratio last.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageEnhance, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_seconds, report

from fmstudio.core.events import run_to_end
from fmstudio.core.image.classify import classify_images
from fmstudio.core.image.models import load_bundled, speed_up
from fmstudio.core.image.requests import ClassifyImages


def make_photos(n: int, folder: Path, size: tuple[int, int]) -> list[Path]:
    """Photo-like JPEGs: crops, flips and colour changes of scikit-learn's two sample photos."""
    from sklearn.datasets import load_sample_image

    sources = [Image.fromarray(load_sample_image(n)) for n in ("china.jpg", "flower.jpg")]
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        img = sources[i % 2]
        w, h = img.size
        cw, ch = int(w * rng.uniform(0.6, 1.0)), int(h * rng.uniform(0.6, 1.0))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        img = img.crop((x, y, x + cw, y + ch)).resize(size, Image.Resampling.BICUBIC)
        if rng.random() < 0.5:
            img = ImageOps.mirror(img)
        img = ImageEnhance.Color(img).enhance(rng.uniform(0.7, 1.3))
        path = folder / f"photo_{i:03d}.jpg"
        img.save(path, quality=90)
        paths.append(path)
    return paths


def plain_timm_loop(paths: list[Path], batch_size: int, clf) -> list[int]:
    """What a user would write with timm: full decode, timm's eval transform, no_grad."""
    import timm.data

    pre = clf.preprocess
    transform = timm.data.create_transform(
        input_size=(3, pre.crop, pre.crop),
        crop_pct=pre.crop / pre.resize,
        interpolation=pre.interpolation,
        mean=pre.mean,
        std=pre.std,
    )
    top1: list[int] = []
    with torch.no_grad():
        for start in range(0, len(paths), batch_size):
            batch = [
                transform(Image.open(p).convert("RGB")) for p in paths[start : start + batch_size]
            ]
            top1 += clf.model(torch.stack(batch).to(clf.device)).argmax(-1).tolist()
    return top1


def fmstudio_path(paths: list[Path], batch_size: int, model) -> list[int]:
    request = ClassifyImages(tuple(map(str, paths)), model, top_k=1, batch_size=batch_size)
    results = run_to_end(classify_images(request))
    return [model.labels.index(r.predictions[0].label) for r in results]


def model_paths(plain_model, model, paths: list[Path], batch_size: int, compile_too: bool) -> None:
    """The model alone on each CPU path, on the same decoded batches: images/s and top-1
    agreement with eager fp32 torch (what the fmstudio job chooses is the fastest exact one)."""
    from fmstudio.core.data.images import load_image
    from fmstudio.core.image.transforms import to_tensor

    tensors = [to_tensor(load_image(p), model.preprocess) for p in paths]
    batches = [torch.stack(tensors[i : i + batch_size]) for i in range(0, len(paths), batch_size)]
    eager = plain_model.model
    channels_last = copy.deepcopy(eager).to(memory_format=torch.channels_last)

    def on_cl(batch: torch.Tensor) -> torch.Tensor:
        return channels_last(batch.contiguous(memory_format=torch.channels_last))

    def bf16(batch: torch.Tensor) -> torch.Tensor:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return on_cl(batch).float()

    runs = {"eager fp32": eager, "channels-last fp32": on_cl, "channels-last bf16 autocast": bf16}
    if model.fast is not None:
        runs["ONNX Runtime fp32"] = model.fast
    if compile_too:
        runs["torch.compile fp32"] = torch.compile(eager)
    reference: list[int] = []
    for name, run in runs.items():
        with torch.inference_mode():
            top1 = [i for b in batches for i in run(b).argmax(-1).tolist()]  # warm-up too
            seconds = median_seconds(lambda r=run: [r(b) for b in batches], 3)
        reference = reference or top1
        same = sum(a == b for a, b in zip(reference, top1, strict=True))
        rate = len(paths) / seconds
        print(f"  {name}: {rate:.1f} images/s, top-1 same as eager {same}/{len(paths)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="1600x1200", help="photo size WxH")
    parser.add_argument(
        "--no-compile", action="store_true", help="skip torch.compile (30 s to compile)"
    )
    parser.add_argument("--device", default="cpu", help="cpu, or cuda (no per-path table)")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    folder = Path(tempfile.mkdtemp())
    paths = make_photos(args.images, folder, size)  # type: ignore[arg-type]
    model = speed_up(load_bundled(args.device))
    plain_model = copy.copy(model)
    plain_model.model = copy.deepcopy(model.model).to(memory_format=torch.contiguous_format)
    print(
        f"{args.images} JPEGs of {args.size}, batch {args.batch_size}, "
        f"{torch.get_num_threads()} torch threads, {os.cpu_count()} cores; "
        f"fmstudio runs {model.runtime} {model.runtime_reason}".rstrip()
    )

    if args.device == "cpu":
        print("model alone, per path:")
        model_paths(plain_model, model, paths, args.batch_size, not args.no_compile)
    plain_times, ours_times = [], []
    plain_top1 = ours_top1 = []
    fmstudio_path(paths[:4], args.batch_size, model)  # warm-up
    for _ in range(args.repeats):
        start = time.perf_counter()
        plain_top1 = plain_timm_loop(paths, args.batch_size, plain_model)
        plain_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        ours_top1 = fmstudio_path(paths, args.batch_size, model)
        ours_times.append(time.perf_counter() - start)
    same = sum(a == b for a, b in zip(plain_top1, ours_top1, strict=True))
    print(f"top-1 agreement: {same}/{len(paths)}")
    ours = args.images / statistics.median(ours_times)
    plain = args.images / statistics.median(plain_times)
    report(
        "fmstudio image classify", ours, "plain timm loop", plain, "images/s", "fmstudio / plain"
    )


if __name__ == "__main__":
    main()
