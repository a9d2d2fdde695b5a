#!/usr/bin/env bash
# Build the one-folder bundle from a normal install of the wheel (an editable install hides
# fmstudio from PyInstaller), on a machine with or without a display, then smoke-test it.
# Prints the build time and the bundle's size. The build venv is kept in packaging/.venv-build
# (delete it to reclaim about 7 GB).
set -euo pipefail
here=$(realpath "$(dirname "$0")")
wheel=$(ls "$here"/../dist/fmstudio-*.whl | head -1)
venv="$here/.venv-build"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" install -q "$wheel" pyinstaller 2>&1 | grep -v "is ignored" || true
start=$(date +%s)
cd "$here"
QT_QPA_PLATFORM=offscreen "$venv/bin/pyinstaller" --noconfirm --log-level WARN fmstudio.spec
echo "built in $(( $(date +%s) - start )) s: $(du -sh dist/fmstudio | cut -f1) in $here/dist/fmstudio"
PYTHON="$venv/bin/python" bash "$here/smoke.sh" "$here/dist/fmstudio/fmstudio"
