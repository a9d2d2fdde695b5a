"""Other languages offline: multilingual zero-shot text, Whisper base against tiny.en on
English, and Whisper base's language detection.

1. Zero-shot: 4 topics × 4 texts in Chinese, German and English (written for this), with
   labels in the same language. fmstudio's pick (the multilingual encoder for the non-English
   sets) against the English MiniLM on every set. Accuracy per set.
2. English speech: 12 espeak-ng sentences transcribed by tiny.en and by base: WER and time.
3. Language detection: 3 espeak-ng clips (5–8 s) each in German, French, Spanish, Italian and
   English: the share detected right, and the mean probability.

The last line is the ratio of mean zero-shot accuracy on the non-English sets (fmstudio's pick
/ MiniLM).

Run: .venv/bin/python benchmarks/multilingual_quality.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fmstudio.core import loading

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import report
from benchmarks._datasets import docstring_sentences
from fmstudio.core.data.audio import load_audio
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.scoring import score
from fmstudio.core.speech.transcribe import transcribe_audio
from fmstudio.core.text.classify import classify_texts
from fmstudio.core.text.requests import ClassifyTexts

TOPICS: dict[str, dict[str, list[str]]] = {
    "Chinese": {
        "体育": [
            "他在篮球比赛中得了三十分。",
            "马拉松比赛在早上七点开始。",
            "这位网球运动员赢得了冠军。",
            "足球队的新教练很年轻。",
        ],
        "政治": [
            "议会今天通过了新的法律。",
            "总统访问了邻国并发表讲话。",
            "选民们明天将去投票站投票。",
            "部长因丑闻宣布辞职。",
        ],
        "烹饪": [
            "把鸡蛋和面粉搅拌均匀。",
            "用小火慢慢炖这锅汤。",
            "这道菜需要放一点糖和酱油。",
            "面包要在烤箱里烤二十分钟。",
        ],
        "科技": [
            "这款新手机的电池更耐用。",
            "工程师发布了软件安全补丁。",
            "人工智能模型在数据中心训练。",
            "这个应用可以同步你的文件。",
        ],
    },
    "German": {
        "Sport": [
            "Die Mannschaft gewann das Spiel mit drei zu eins.",
            "Sie lief den Marathon in Rekordzeit.",
            "Der Torwart hielt den Elfmeter in der letzten Minute.",
            "Das Tennisfinale wurde wegen Regen verschoben.",
        ],
        "Politik": [
            "Der Bundestag stimmte gegen die Steuerreform.",
            "Die Ministerin trat nach dem Skandal zurück.",
            "Die Wähler gehen am Sonntag zur Wahl.",
            "Die Koalition streitet über den Haushalt.",
        ],
        "Kochen": [
            "Die Soße köcheln lassen, bis sie eindickt.",
            "Die Eier mit Zucker schaumig schlagen.",
            "Das Gemüse eine halbe Stunde im Ofen rösten.",
            "Den Teig über Nacht im Kühlschrank gehen lassen.",
        ],
        "Technik": [
            "Der neue Laptop hat einen schnelleren Prozessor.",
            "Die Entwickler haben eine Sicherheitslücke geschlossen.",
            "Die App synchronisiert Dateien zwischen Geräten.",
            "Das Update verlängert die Akkulaufzeit älterer Handys.",
        ],
    },
    "English": {
        "sports": [
            "The team won the match three to one.",
            "She ran the marathon in record time.",
            "The goalkeeper saved a penalty in the last minute.",
            "Rain delayed the tennis final.",
        ],
        "politics": [
            "Parliament voted against the tax reform.",
            "The minister resigned after the scandal.",
            "Voters go to the polls on Sunday.",
            "The coalition argues over the budget.",
        ],
        "cooking": [
            "Simmer the sauce until it thickens.",
            "Whisk the eggs with sugar.",
            "Roast the vegetables for half an hour.",
            "Let the dough rise overnight in the fridge.",
        ],
        "technology": [
            "The new laptop has a faster processor.",
            "Developers fixed a security flaw.",
            "The app syncs files across devices.",
            "The update improves battery life on older phones.",
        ],
    },
}
SPOKEN = {
    "de": [
        "Guten Morgen. Heute ist das Wetter in Berlin sehr schön, und wir gehen in den Park.",
        "Ich möchte bitte eine Fahrkarte nach München für den Zug um acht Uhr kaufen.",
        "Meine Schwester arbeitet seit drei Jahren in einem großen Krankenhaus.",
    ],
    "fr": [
        "Bonjour, je voudrais réserver une table pour quatre personnes ce soir.",
        "Le musée est fermé le lundi, mais il ouvre tôt le mardi matin.",
        "Nous avons passé nos vacances au bord de la mer en Bretagne.",
    ],
    "es": [
        "Buenos días, quisiera saber dónde está la estación de tren más cercana.",
        "Mi hermano vive en Madrid y trabaja en una empresa de tecnología.",
        "El mercado abre a las nueve y cierra a las dos de la tarde.",
    ],
    "it": [
        "Buongiorno, vorrei un caffè e un cornetto, per favore.",
        "La mia famiglia abita in una piccola città vicino a Firenze.",
        "Domani andiamo al mare se il tempo è bello.",
    ],
    "en": [
        "Good morning, I would like to book a table for four people tonight.",
        "The museum is closed on Mondays but opens early on Tuesday morning.",
        "We spent our holidays by the sea in a small village.",
    ],
}


def zero_shot(topics: dict[str, list[str]], model: object) -> float:
    """Accuracy with `model`: "" lets fmstudio pick; a loaded encoder is used as it is."""
    texts = tuple(t for items in topics.values() for t in items)
    truth = [label for label, items in topics.items() for _ in items]
    request = ClassifyTexts(texts=texts, labels=tuple(topics), model=model, top_k=1)  # type: ignore[arg-type]
    results = run_to_end(classify_texts(request))
    return sum(r.predictions[0].label == t for r, t in zip(results, truth, strict=True)) / len(
        truth
    )


def espeak(path: Path, voice: str, text: str) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return path


def transcribe(model: object, path: Path, options: SpeechOptions):  # type: ignore[no-untyped-def]
    return run_to_end(transcribe_audio(model, load_audio(path), options, CancelToken()))  # type: ignore[arg-type]


def speech(folder: Path) -> None:
    sentences = docstring_sentences(12, seed=3)
    clips = [espeak(folder / f"en{i}.wav", "en-us", s) for i, s in enumerate(sentences)]
    for name in ("whisper-tiny.en", "whisper-base"):
        model = loading.cached_load(name, "speech")
        transcribe(model, clips[0], SpeechOptions(language="en"))  # warm up
        start = time.perf_counter()
        said = [transcribe(model, c, SpeechOptions(language="en")).text for c in clips]
        seconds = time.perf_counter() - start
        wer = score([str(c) for c in clips], list(sentences), said).wer
        print(f"{name}: WER {wer:.3f} on {len(clips)} English clips, {seconds:.1f} s")
    model = loading.cached_load("whisper-base", "speech")
    right, probabilities = 0, []
    for code, texts in SPOKEN.items():
        for i, text in enumerate(texts):
            found = transcribe(
                model, espeak(folder / f"{code}{i}.wav", code, text), SpeechOptions()
            )
            right += found.language == code
            probabilities.append(found.language_probability or 0.0)
            print(
                f"  {code} clip {i}: detected {found.language} ({found.language_probability:.2f})"
            )
    total = sum(len(t) for t in SPOKEN.values())
    print(
        f"language detection: {right}/{total} right, mean probability "
        f"{statistics.mean(probabilities):.2f}"
    )


def main() -> None:
    ours, baseline = [], []
    english_only = loading.cached_load("all-MiniLM-L6-v2", "text")
    for language, topics in TOPICS.items():
        picked = zero_shot(topics, "")
        minilm = zero_shot(topics, english_only)
        print(f"zero-shot {language}: fmstudio {picked:.0%}, MiniLM alone {minilm:.0%}")
        if language != "English":
            ours.append(picked)
            baseline.append(minilm)
    with tempfile.TemporaryDirectory() as tmp:
        speech(Path(tmp))
    report(
        "fmstudio zero-shot, non-English sets (mean accuracy)",
        statistics.mean(ours),
        "MiniLM alone, same sets (mean accuracy)",
        statistics.mean(baseline),
        "",
        "fmstudio / MiniLM",
    )


if __name__ == "__main__":
    main()
