"""Small labelled datasets and tiny models that the training tests build themselves."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from PIL import Image, ImageEnhance

COLOURS = {"red": (200, 40, 40), "blue": (40, 60, 200)}

SPORTS = ["goal", "match", "team", "coach", "league", "striker", "penalty", "season", "score"]
COOKING = ["sauce", "oven", "recipe", "flour", "simmer", "garlic", "butter", "bake", "onion"]
FILLER = ["the", "a", "after", "with", "today", "again", "new", "big", "and"]


def make_image_folder(root: Path, per_class: int = 12, size: int = 40, seed: int = 0) -> Path:
    """Noisy images whose dominant colour is their class: easy to learn, not trivial."""
    rng = random.Random(seed)
    for label, (r, g, b) in COLOURS.items():
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            img = Image.new("RGB", (size, size))
            img.putdata(
                [
                    tuple(max(0, min(255, c + rng.randint(-60, 60))) for c in (r, g, b))
                    for _ in range(size * size)
                ]
            )
            img.save(folder / f"{label}_{i}.png")
    return root


def make_text_folder(root: Path, per_class: int = 12, seed: int = 0) -> Path:
    """Short sentences about sports or cooking, one file each."""
    rng = random.Random(seed)
    for label, words in (("sports", SPORTS), ("cooking", COOKING)):
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            chosen = rng.sample(words, 3) + rng.sample(FILLER, 3)
            rng.shuffle(chosen)
            (folder / f"{i}.txt").write_text(" ".join(chosen) + ".", encoding="utf-8")
    return root


def make_tiny_image_base(folder: Path) -> Path:
    """timm's 100k-parameter test EfficientNet at 32x32, saved as a library model folder."""
    import timm
    import torch
    from timm.models import save_for_hf

    torch.manual_seed(0)
    model = timm.create_model("test_efficientnet", num_classes=3)
    save_for_hf(
        model,
        str(folder),
        model_config={
            "label_names": ["x", "y", "z"],
            "fmstudio_preprocess": {"resize": 36, "crop": 32},
        },
        safe_serialization=True,
    )
    return folder


def make_tiny_text_base(folder: Path, labels: tuple[str, ...] = ("neg", "neutral", "pos")) -> Path:
    """A 2-layer BERT with a classifier head, saved with the bundled MiniLM's tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from fmstudio.core.text.models import bundled_folder

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(bundled_folder()).save_pretrained(folder)
    return folder


SPOKEN = [
    "Siobhan will restart the kafka topic tonight.",
    "Nguyen will patch the helm chart on Monday.",
    "Grafana shows the postgres replica is late.",
    "Aoife will drain the redis cluster after lunch.",
    "Kubernetes pods restart when the probe fails.",
    "Dvorak will audit the terraform plan today.",
    "Quinlan will scale up the nginx ingress now.",
    "Okonkwo will migrate the etcd snapshot soon.",
    "Saoirse will inspect the istio sidecar again.",
    "Padraig will redeploy the jenkins job later.",
    "Tomasz will throttle the prometheus alert.",
    "Ngozi will snapshot the kubelet logs tonight.",
]


def espeak(path: Path, text: str, speed: int = 160) -> Path:
    import subprocess

    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["espeak-ng", "-s", str(speed), "-w", str(path), text], check=True)
    return path


def make_clip_folder(root: Path, sentences: list[str] = SPOKEN) -> Path:
    """An audiofolder: spoken clips and a metadata.csv with their transcripts."""
    import csv

    root.mkdir(parents=True, exist_ok=True)
    with open(root / "metadata.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file_name", "transcription"])
        for i, text in enumerate(sentences):
            espeak(root / f"clip{i:02d}.wav", text)
            writer.writerow([f"clip{i:02d}.wav", text])
    return root


def write_tone(
    path: Path, seconds: float, amplitude: float = 0.3, frequency: float = 440.0
) -> Path:
    """A tone (440 Hz unless asked) as 16 kHz 16-bit WAV (long clips, silent clips with
    amplitude 0)."""
    import wave

    import numpy as np

    t = np.arange(int(seconds * 16_000)) / 16_000
    samples = (amplitude * np.sin(2 * np.pi * frequency * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(samples.tobytes())
    return path


def write_wav(path: Path, samples, rate: int = 44_100) -> Path:
    """Float samples in -1..1 as 16-bit WAV; a 2-D array (frames, channels) is multichannel."""
    import wave

    import numpy as np

    data = np.asarray(samples, dtype=np.float64)
    frames = data if data.ndim == 2 else data[:, None]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(frames.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(frames, -1, 1) * 32767).astype("<i2").tobytes())
    return path


SOUND_KINDS = ("tone", "noise", "chirp")


def sound(kind: str, seconds: float, seed: int, rate: int = 44_100):
    """A clip of one kind: a steady tone, a burst of hiss or a rising chirp, each with its
    own pitch, length and level, in a little background noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    if kind == "tone":
        wave_ = np.sin(2 * np.pi * rng.uniform(300, 900) * t)
    elif kind == "noise":
        wave_ = rng.standard_normal(t.size) * np.exp(-t * rng.uniform(1, 4))
    else:
        start, end = rng.uniform(200, 500), rng.uniform(2000, 5000)
        wave_ = np.sin(2 * np.pi * (start * t + (end - start) * t**2 / (2 * seconds)))
    return rng.uniform(0.2, 0.6) * wave_ / np.abs(wave_).max() + rng.normal(0, 0.003, t.size)


def make_sound_folder(root: Path, per_class: int = 6, seed: int = 0) -> Path:
    """Class folders of tones, hiss and chirps, 1-3 s each."""
    for k, kind in enumerate(SOUND_KINDS):
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            clip_seed = seed * 1000 + k * 100 + i
            write_wav(root / kind / f"{kind}{i}.wav", sound(kind, 1 + (i % 3), clip_seed))
    return root


def make_tiny_whisper_base(root: Path) -> Path:
    """A 1+1-layer Whisper with the bundled vocabulary, saved as a transformers folder."""
    import json

    import torch
    from transformers import WhisperConfig, WhisperForConditionalGeneration, WhisperTokenizer

    from fmstudio.core.speech.models import bundled_folder

    extra = json.loads((bundled_folder() / "config.json").read_text())
    torch.manual_seed(0)
    config = WhisperConfig(
        vocab_size=51864,
        num_mel_bins=80,
        d_model=64,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        bos_token_id=50256,
        eos_token_id=50256,
        pad_token_id=50256,
        decoder_start_token_id=50257,
        suppress_tokens=extra["suppress_ids"],
        begin_suppress_tokens=extra["suppress_ids_begin"],
    )
    model = WhisperForConditionalGeneration(config)
    model.save_pretrained(root)
    WhisperTokenizer(tokenizer_file=str(bundled_folder() / "tokenizer.json")).save_pretrained(root)
    return root


VOICES = ("en-us+m3", "en-us+f2")
"""Two clearly different espeak-ng voices (a man's and a woman's), for speaker tests."""
DIALOGUE = (
    "Good morning, thank you for joining the call today.",
    "Sure, I have the spreadsheet open right here.",
    "We need to talk about the budget for next quarter.",
    "The sales figures went up by twelve percent.",
    "I think the marketing team needs more money.",
    "That sounds reasonable to me, but we should check with finance.",
    "Let us look at the numbers before we decide anything.",
    "I will send everyone a summary after this meeting.",
)


def make_conversation(
    path: Path, lines: list[tuple[str, str]], gap: float = 0.4, speed: int = 160
) -> list[tuple[str, float, float]]:
    """A WAV of each (voice, sentence) in turn with `gap` seconds between, and the true
    turns as (voice, start, end) in seconds: from the first to the last sample that is not
    silent, so espeak-ng's own silence around each line is not counted as speech."""
    import subprocess
    import tempfile
    import wave

    import numpy as np

    from fmstudio.core.data.audio import SAMPLE_RATE, load_audio

    parts, turns, at = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (voice, text) in enumerate(lines):
            clip = Path(tmp) / f"{i}.wav"
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(clip), text], check=True
            )
            audio = load_audio(clip)
            loud = np.flatnonzero(np.abs(audio) > 0.01)
            first, last = (loud[0], loud[-1]) if len(loud) else (0, 0)
            turns.append((voice, at + first / SAMPLE_RATE, at + last / SAMPLE_RATE))
            parts += [audio, np.zeros(int(gap * SAMPLE_RATE), np.float32)]
            at += len(audio) / SAMPLE_RATE + gap
    pcm = (np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes(pcm.tobytes())
    return turns


def enrolment_clips(folder: Path, voice: str) -> list[Path]:
    """Two clips of one espeak-ng voice saying what no conversation here says: what a user
    records to enrol a voice profile."""
    import subprocess

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, line in enumerate(ENROLMENT):
        path = folder / f"{voice.replace('+', '_')}-{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), line], check=True)
        paths.append(path)
    return paths


ENROLMENT = (
    "My name is on the list, and I will read these words aloud for the profile.",
    "The weather was cold all week, so we stayed inside and played cards.",
)


def alternating(voices: tuple[str, ...] = VOICES, sentences: tuple[str, ...] = DIALOGUE):
    """Each sentence in the next voice: a conversation that changes speaker every line."""
    return [(voices[i % len(voices)], text) for i, text in enumerate(sentences)]


CHINESE_TOPICS = {
    "sport": [
        "我们的球队昨天赢了足球比赛。",
        "他在篮球比赛中得了三十分。",
        "奥运会的游泳比赛非常精彩。",
        "这位网球运动员赢得了冠军。",
        "马拉松比赛在早上七点开始。",
        "足球运动员受伤了，不能参加比赛。",
        "教练说球队需要更多的训练。",
        "今天的乒乓球比赛很激烈。",
    ],
    "food": [
        "这家餐厅的饺子非常好吃。",
        "我喜欢吃妈妈做的红烧肉。",
        "早饭我们吃了包子和豆浆。",
        "这道菜太辣了，我吃不了。",
        "晚上我们去吃火锅吧。",
        "她会做很好吃的蛋糕。",
        "这碗面条的汤很香。",
        "水果市场的苹果很新鲜。",
    ],
    "weather": [
        "明天会下大雨，记得带伞。",
        "今天的天气很晴朗，阳光明媚。",
        "冬天这里经常下雪，非常冷。",
        "台风明天晚上会到达海边。",
        "夏天的气温高达三十八度。",
        "早上有大雾，能见度很低。",
        "春天的风很大，天气多变。",
        "天气预报说周末是阴天。",
    ],
}
"""Short Chinese texts on three topics, written for these tests."""


def make_chinese_folder(root: Path) -> Path:
    """One sub-folder per topic, one UTF-8 .txt per text."""
    for topic, texts in CHINESE_TOPICS.items():
        folder = root / topic
        folder.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(texts):
            (folder / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    return root


GERMAN = (
    "Guten Morgen. Heute ist das Wetter in Berlin sehr schön, "
    "und wir gehen am Nachmittag zusammen in den Park."
)
"""A German sentence long enough (at espeak-ng speed 140) for Whisper base to detect."""


PLAIN_SENTENCES = [
    # plain sentences that espeak-ng says clearly: long recordings are made of them
    "The weather was cold and the river was frozen.",
    "She opened the window to let the morning light in.",
    "Our train leaves the station at half past seven.",
    "He bought fresh bread and cheese at the market.",
    "The children played football in the park after school.",
    "Please send me the report before the end of the week.",
    "The old bridge was closed for repairs last summer.",
    "We watched the sun go down behind the hills.",
    "My brother works in a small shop near the harbour.",
    "The meeting was moved to the large room upstairs.",
    "A strong wind blew the leaves across the garden.",
    "They painted the kitchen walls a pale shade of green.",
    "The library is open every day except on Sunday.",
    "I left my keys on the table by the front door.",
    "The doctor told him to rest for a few days.",
    "Snow fell quietly on the roofs of the village.",
    "The museum has a new room full of old maps.",
    "We need more chairs for the guests this evening.",
    "The cat slept all afternoon in a patch of sun.",
    "Her letter arrived three days after she had sent it.",
]


PHOTO_BOXES = {
    # scikit-image's sample photos (its wheel ships them), boxed by hand by looking at them.
    "chelsea.png": [("cat", (0, 0, 400, 300))],
    "motorcycle_left.png": [("motorcycle", (92, 75, 687, 453))],
    "astronaut.png": [("person", (20, 14, 362, 512))],
    "coffee.png": [("cup", (170, 15, 415, 300))],
    "rocket.jpg": [],  # nothing COCO names: a background image
}


def skimage_photo(name: str) -> Path:
    import skimage

    return Path(skimage.__file__).parent / "data" / name


def make_photo_boxes(root: Path) -> Path:
    """Real photos with hand-drawn boxes of COCO classes, as a COCO dataset in `root`."""
    import json
    import shutil

    (root / "images").mkdir(parents=True, exist_ok=True)
    images, notes, classes = [], [], ["cat", "motorcycle", "person", "cup"]
    for n, (name, boxes) in enumerate(PHOTO_BOXES.items(), start=1):
        shutil.copy(skimage_photo(name), root / "images" / name)
        width, height = Image.open(root / "images" / name).size
        images.append({"id": n, "file_name": name, "width": width, "height": height})
        for label, (x1, y1, x2, y2) in boxes:
            box = [x1, y1, x2 - x1, y2 - y1]
            category = classes.index(label) + 1
            notes.append({"id": len(notes) + 1, "image_id": n, "category_id": category,
                          "bbox": box, "area": box[2] * box[3]})  # fmt: skip
    categories = [{"id": i + 1, "name": c} for i, c in enumerate(classes)]
    document = {"images": images, "annotations": notes, "categories": categories}
    (root / "annotations.json").write_text(json.dumps(document), encoding="utf-8")
    return root


COIN_SPLIT_X = 185
"""scikit-image's coins photo holds 24 coins in six columns: the left three train, the right
three are held out, so a held-out image never shows a coin the model trained on."""


def coin_boxes() -> list[tuple[int, int, int, int]]:
    """Each coin's box (x1, y1, x2, y2) in scikit-image's coins photo, found as its gallery
    segments them (Sobel elevation, watershed from dark and bright markers): 24 coins."""
    import numpy as np
    from scipy import ndimage
    from skimage import data, filters, measure, segmentation

    image = data.coins()
    markers = np.zeros_like(image)
    markers[image < 30], markers[image > 150] = 1, 2
    regions = ndimage.binary_fill_holes(segmentation.watershed(filters.sobel(image), markers) - 1)
    labelled, _ = ndimage.label(regions)
    found = [r.bbox for r in measure.regionprops(labelled) if r.area >= 150]
    return [(x1, y1, x2, y2) for y1, x1, y2, x2 in found]


def _coin_crop(rng: random.Random, left: int, right: int, boxes: list) -> tuple:
    """A random window of the coins photo between x=left and x=right, scaled, with the boxes
    at least 60 % inside it (clipped)."""
    width = rng.randint(min(120, right - left), right - left)
    height = rng.randint(120, 303)
    x0, y0 = rng.randint(left, right - width), rng.randint(0, 303 - height)
    kept = []
    for x1, y1, x2, y2 in boxes:
        cx1, cy1 = max(x1, x0), max(y1, y0)
        cx2, cy2 = min(x2, x0 + width), min(y2, y0 + height)
        inside = max(cx2 - cx1, 0) * max(cy2 - cy1, 0)
        if inside >= 0.6 * (x2 - x1) * (y2 - y1):
            kept.append((cx1 - x0, cy1 - y0, cx2 - x0, cy2 - y0))
    return (x0, y0, x0 + width, y0 + height), kept


def make_coin_boxes(root: Path, train: int = 24, val: int = 8, seed: int = 0) -> Path:
    """Crops of the real coins photo, rescaled and brightened at random, with their coins
    boxed, as a YOLO dataset with train/ and val/ folders (data.yaml names the class)."""
    from skimage import data

    rng = random.Random(seed)
    photo = Image.fromarray(data.coins()).convert("RGB")
    boxes = coin_boxes()
    sides = {"train": (0, COIN_SPLIT_X), "val": (COIN_SPLIT_X, 384)}
    for split, count in (("train", train), ("val", val)):
        left, right = sides[split]
        mine = [b for b in boxes if left <= (b[0] + b[2]) / 2 < right]
        for n in range(count):
            window, kept = _coin_crop(rng, left, right, mine)
            scale = rng.uniform(1.0, 2.0)
            crop = photo.crop(window).resize(
                (round((window[2] - window[0]) * scale), round((window[3] - window[1]) * scale))
            )
            crop = ImageEnhance.Brightness(crop).enhance(rng.uniform(0.7, 1.3))
            name = f"coins_{split}_{n}"
            (root / "images" / split).mkdir(parents=True, exist_ok=True)
            (root / "labels" / split).mkdir(parents=True, exist_ok=True)
            crop.save(root / "images" / split / f"{name}.jpg", quality=90)
            w, h = (v / scale for v in crop.size)
            lines = [
                f"0 {(a + c) / 2 / w:.6f} {(b + d) / 2 / h:.6f} {(c - a) / w:.6f} "
                f"{(d - b) / h:.6f}\n"
                for a, b, c, d in kept
            ]
            (root / "labels" / split / f"{name}.txt").write_text("".join(lines), encoding="utf-8")
    (root / "data.yaml").write_text("names:\n  0: coin\n", encoding="utf-8")
    return root


TILED_PHOTOS = {"cat": "chelsea.png", "coffee": "coffee.png", "textures": "brick.png"}


def _crops(photo: Path, n: int, first: int) -> list[Image.Image]:
    """Regions of a real photo that do not overlap: 112-px tiles from tile `first` on."""
    image = Image.open(photo).convert("RGB")
    across = image.width // 112
    tiles = [divmod(first + i, across) for i in range(n)]
    return [image.crop((c * 112, r * 112, c * 112 + 112, r * 112 + 112)) for r, c in tiles]


def photo_tiles_with_mistakes(root: Path) -> Path:
    """Tiles of three real photos in train/ and val/; a coffee tile filed as cat, and a val
    image that is a training one a little brighter (a leak, not byte-identical)."""
    for label, name in TILED_PHOTOS.items():
        for split, n, first in (("train", 9, 0), ("val", 3, 9)):
            folder = root / split / label
            folder.mkdir(parents=True, exist_ok=True)
            for i, crop in enumerate(_crops(skimage_photo(name), n, first)):
                crop.save(folder / f"{label}_{i}.png")
    shutil.move(root / "train" / "coffee" / "coffee_3.png", root / "train" / "cat" / "oops.png")
    leaked = Image.open(root / "train" / "textures" / "textures_5.png")
    ImageEnhance.Brightness(leaked).enhance(1.03).save(root / "val" / "textures" / "copy.png")
    return root
