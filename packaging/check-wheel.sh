#!/usr/bin/env bash
# Install dist/fmstudio-*.whl alone into a fresh venv and use it as a user would, from another
# folder: the CLI's four tasks (speakers included), then the window offscreen. The venv
# (about 7 GB with PyPI's CUDA torch) is deleted at the end, passed or not.
set -euo pipefail
wheel=$(ls "$(dirname "$0")"/../dist/fmstudio-*.whl | head -1)
wheel=$(realpath "$wheel")
root=$(realpath "$(dirname "$0")/..")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
start=$(date +%s)
"$work/venv/bin/pip" install -q "$wheel" 2>&1 | grep -v "is ignored" || true
echo "installed in $(( $(date +%s) - start )) s; venv $(du -sh "$work/venv" | cut -f1)"
cd "$work"
export FMSTUDIO_HOME="$work/home" QT_QPA_PLATFORM=offscreen
fm="$work/venv/bin/fmstudio"
"$root/.venv/bin/python" -c "
import sys; sys.path.insert(0, '$root')
from pathlib import Path
from tests.datasets import alternating, make_conversation
make_conversation(Path('call.wav'), alternating())"
"$fm" speech transcribe call.wav --speakers auto --format srt > call.srt 2> call.log
grep -q "Speaker 2: " call.srt && grep -q "2 speakers found" call.log
echo "speech with speakers: ok"
echo "The striker scored twice in the final." > t.txt
"$fm" text classify t.txt --labels "sports, cooking" 2>/dev/null | grep -q "sports"
echo "text zero-shot: ok"
photo=$("$root/.venv/bin/python" -c "import sklearn, os; print(os.path.dirname(sklearn.__file__))")/datasets/images/flower.jpg
"$fm" image classify "$photo" 2>/dev/null | grep -q "daisy"
echo "image classify: ok"
cat=$("$root/.venv/bin/python" -c "import skimage, os; print(os.path.dirname(skimage.__file__))")/data/chelsea.png
"$fm" detect "$cat" 2>/dev/null | grep -q " cat "
echo "detect: ok"
"$fm" sound classify call.wav --timeline 2>/dev/null | grep -q "Speech"
echo "sound: ok"
"$root/.venv/bin/python" -c "
import sys; sys.path.insert(0, '$root')
from pathlib import Path
from tests.datasets import make_sound_folder
make_sound_folder(Path('kinds'), per_class=4)"
"$fm" train sound kinds --output kinds-model --mode head --epochs 20 > train.log 2>&1
"$fm" sound classify kinds/chirp/chirp0.wav --model kinds-model 2>/dev/null | grep -q "chirp"
echo "sound training (the sound-effects CNN from the wheel): ok"
"$fm" gui --screenshot shot.png --tab speech 2> gui.log
test -s shot.png
echo "window: ok"
