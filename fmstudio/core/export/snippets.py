"""How to use an exported model without fmstudio: the README written beside every export.

The same snippets are in the project README; tests run them on real exports, so they stay
true.
"""

from __future__ import annotations

from typing import Any

from fmstudio.core.modalities import import_target, modality

IMAGE_ONNX = """\
import json

import numpy as np
import onnxruntime as ort
from PIL import Image

folder = "{folder}"
meta = json.load(open(f"{{folder}}/fmstudio-export.json"))
pre = meta["preprocess"]
session = ort.InferenceSession(f"{{folder}}/model.onnx")

image = Image.open("{example}").convert("RGB")
w, h = image.size  # resize the short side, keeping the aspect ratio, then center-crop
short, long = min(w, h), max(w, h)
size = (pre["resize"], int(pre["resize"] * long / short))
resample = getattr(Image.Resampling, pre["interpolation"].upper())
image = image.resize(size if w <= h else size[::-1], resample)
left = round((image.width - pre["crop"]) / 2)
top = round((image.height - pre["crop"]) / 2)
image = image.crop((left, top, left + pre["crop"], top + pre["crop"]))
x = (np.asarray(image, np.float32) / 255 - pre["mean"]) / pre["std"]
x = x.transpose(2, 0, 1)[None].astype(np.float32)  # [1, 3, crop, crop]

logits = session.run(None, {{"pixel_values": x}})[0][0]
print(meta["labels"][int(logits.argmax())])
"""

TEXT_ONNX = """\
import json

import numpy as np
import onnxruntime as ort
from transformers import AutoTokenizer

folder = "{folder}"
meta = json.load(open(f"{{folder}}/fmstudio-export.json"))
tokenizer = AutoTokenizer.from_pretrained(folder)
session = ort.InferenceSession(f"{{folder}}/model.onnx")

texts = ["{example}"]
tokens = tokenizer(
    texts, padding=True, truncation=True, max_length=meta["max_length"], return_tensors="np"
)
wanted = [i.name for i in session.get_inputs()]
out = session.run(None, {{name: tokens[name].astype(np.int64) for name in wanted}})[0]
print([meta["labels"][i] for i in out.argmax(-1)] if meta["labels"] else out.shape)
"""

DETECT_ONNX = """\
import json

import numpy as np
import onnxruntime as ort
from PIL import Image

folder = "{folder}"
meta = json.load(open(f"{{folder}}/fmstudio-export.json"))
size, stride = meta["input_size"], meta["stride"]
session = ort.InferenceSession(f"{{folder}}/model.onnx")

image = Image.open("{example}").convert("RGB")
scale = size / max(image.size)  # fit the longer side, keep the aspect, pad right and below
image = image.resize([max(1, round(v * scale)) for v in image.size], Image.Resampling.BILINEAR)
x = np.zeros((1, 3, size, size), np.float32)
x[0, :, : image.height, : image.width] = np.asarray(image, np.float32).transpose(2, 0, 1)

out = session.run(None, {{"images": x}})[0][0]
scores = 1 / (1 + np.exp(-out[:-4]))  # [classes, H, W]
padded = np.pad(scores, ((0, 0), (1, 1), (1, 1)))
peak = np.max(
    [
        padded[:, i : i + scores.shape[1], j : j + scores.shape[2]]
        for i in range(3)
        for j in range(3)
    ],
    axis=0,
)
found = []
for k, y, x_ in zip(*np.nonzero((scores == peak) & (scores >= 0.3))):
    left, top, right, bottom = out[-4:, y, x_]
    box = np.array([x_ * stride - left, y * stride - top, x_ * stride + right, y * stride + bottom])
    found.append((float(scores[k, y, x_]), int(k), box / scale))


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])
    return w * h / (area(a) + area(b) - w * h)


kept = []  # a class's boxes overlapping a better one by more than half are the same object
for score, k, box in sorted(found, key=lambda f: -f[0]):
    if all(k != k2 or iou(box, box2) <= 0.5 for _, k2, box2 in kept):
        kept.append((score, k, box))
        print(meta["labels"][k], round(score, 2), box.round().tolist())
"""

SOUND_ONNX = """\
import json

import av  # PyAV: decodes any audio or video file and resamples it
import numpy as np
import onnxruntime as ort

folder = "{folder}"
meta = json.load(open(f"{{folder}}/fmstudio-export.json"))
front = meta["frontend"]
filters = np.load(f"{{folder}}/mel_filters.npy")
session = ort.InferenceSession(f"{{folder}}/model.onnx")

with av.open("{example}") as container:  # mono float at 44.1 kHz
    resampler = av.AudioResampler(format="flt", layout="mono", rate=front["sample_rate"])
    chunks = [
        f.to_ndarray().reshape(-1)
        for frame in container.decode(audio=0)
        for f in resampler.resample(frame)
    ]
audio = np.concatenate(chunks)
audio = audio / max(np.abs(audio).max(), 1e-12)

n_fft, hop = front["n_fft"], front["hop"]
padded = np.pad(audio, n_fft // 2)
starts = range(0, len(padded) - n_fft + 1, hop)
frames = np.stack([padded[s : s + n_fft] for s in starts]) * np.hanning(n_fft)
mel = np.log10(np.abs(np.fft.rfft(frames)) ** 2 @ filters * 1e4 + 1) / meta["top"]

size, step = front["window_frames"], front["window_hop_frames"]
count = 1 + max(0, -(-(len(mel) - size) // step))
mel = np.pad(mel, ((0, (count - 1) * step + size - len(mel)), (0, 0)))
windows = np.stack([mel[i * step : i * step + size] for i in range(count)]).astype(np.float32)

logits = session.run(None, {{"mel": windows}})[0]
probs = np.exp(logits - logits.max(1, keepdims=True))
probs /= probs.sum(1, keepdims=True)
summary = np.average(probs, axis=0, weights=windows.mean(axis=(1, 2)) + 1e-12)
best = int(summary.argmax())
print(meta["labels"][best], round(float(summary[best]), 2))
"""

TORCHSCRIPT = """\
import torch

model = torch.jit.load("{folder}/model.pt")
# the same inputs as the ONNX graph (see fmstudio-export.json), as torch tensors:
# images: model(pixel_values); text: model(input_ids, attention_mask[, token_type_ids])
"""


def snippet(task: str, fmt: str, folder: str, example: str) -> str:
    """The Python that loads the export in `folder` and runs it on `example`."""
    if fmt == "torchscript":
        return TORCHSCRIPT.format(folder=folder)
    template: str = import_target(modality(task).onnx_snippet)
    return template.format(folder=folder, example=example)


def readme(meta: dict[str, Any], folder: str) -> str:
    """The export folder's README.md: what the files are, the check, and how to run it."""
    task, fmt = meta["task"], meta["format"]
    example = modality(task).export_example
    check = meta["check"]
    top1 = "same top-1 on every input" if check["top1_same"] else "top-1 not compared"
    labels = ", ".join(meta["labels"][:20]) + (" …" if len(meta["labels"]) > 20 else "")
    return "\n".join(
        [
            f"# {meta['model']} ({fmt})",
            "",
            f"Exported by fmstudio {meta['fmstudio_version']} from `{meta['source']}`.",
            "",
            f"- **File:** `{meta['file']}`",
            f"- **Input:** {meta['input']}",
            f"- **Output:** {meta['output']}",
            f"- **Classes ({len(meta['labels'])}):** {labels or 'none (sentence embeddings)'}",
            f"- **Checked when written** on {check['inputs']} inputs against PyTorch: largest "
            f"difference {check['largest_difference']:.1e} (relative; tolerance "
            f"{check['tolerance']:g}), {top1}.",
            "",
            "## Use it without fmstudio",
            "",
            "```python",
            snippet(task, fmt, folder, example).rstrip(),
            "```",
            "",
        ]
    )
