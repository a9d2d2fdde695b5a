#!/usr/bin/env bash
# Run the built bundle as a user would, offline, from another folder: each check must pass.
# Usage: [PYTHON=python-with-pillow] packaging/smoke.sh [path/to/dist/fmstudio/fmstudio]
set -euo pipefail
py="${PYTHON:-python3}"  # only draws the test photo and reads JSON
here=$(realpath "$(dirname "$0")")
binary=$(realpath "${1:-$here/dist/fmstudio/fmstudio}")
case "$py" in */*) py="$(cd "$(dirname "$py")" && pwd)/$(basename "$py")" ;; *) py=$(command -v "$py") ;; esac  # not realpath: a venv's python is a link
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export FMSTUDIO_HOME="$work/home" QT_QPA_PLATFORM=offscreen
check() { echo "ok: $1"; }
"$binary" --version | grep -q "fmstudio"
check "--version"
"$binary" models --json | "$py" -c "import json, sys; assert len(json.load(sys.stdin)) >= 6"
check "models --json"
"$py" - <<'PY'
from PIL import Image, ImageDraw
image = Image.new("RGB", (320, 240), (250, 250, 250))
ImageDraw.Draw(image).ellipse((60, 40, 260, 200), fill=(240, 200, 20))
image.save("photo.jpg")
PY
"$binary" image classify photo.jpg --json > image.json
"$py" -c "import json; r = json.load(open('image.json')); assert r[0]['predictions'], r"
check "image classify"
espeak-ng -w speech.wav "The quick brown fox jumps over the lazy dog"
"$binary" speech transcribe speech.wav > speech.txt
grep -qi "fox" speech.txt
check "speech transcribe"
echo "The striker scored twice in the final." > text.txt
"$binary" text classify text.txt --labels "sports, cooking" | grep -q "sports"
check "text zero-shot"
"$binary" gui --screenshot shot.png --tab image
test -s shot.png
check "gui --screenshot"
