#!/usr/bin/env bash
# Checks the system libraries and tools fmstudio needs on Debian/Ubuntu and installs the
# missing ones when run as root; otherwise prints the one apt-get line to run. Quick when
# nothing is missing, so `make setup` can call it every time.
set -u

declare -A LIBS=(
  [libportaudio.so.2]=libportaudio2
  [libxcb-cursor.so.0]=libxcb-cursor0
  [libxcb-icccm.so.4]=libxcb-icccm4
  [libxcb-keysyms.so.1]=libxcb-keysyms1
  [libxcb-shape.so.0]=libxcb-shape0
  [libxcb-xkb.so.1]=libxcb-xkb1
  [libxkbcommon-x11.so.0]=libxkbcommon-x11-0
  [libEGL.so.1]=libegl1
  [libGL.so.1]=libgl1
  [libfontconfig.so.1]=libfontconfig1
  [libdbus-1.so.3]=libdbus-1-3
)
# desktop-file-validate and appstreamcli: the tests check the menu entry with them; slurm-wlm
# and munge: a test submits a job folder to a real single-node Slurm (tests/slurm.py);
# pactl and parec record the computer's sound, and the tests run a private PulseAudio
declare -A TOOLS=([espeak-ng]=espeak-ng [sox]=sox [desktop-file-validate]=desktop-file-utils [appstreamcli]=appstream
  [slurmd]=slurm-wlm [munged]=munge [pulseaudio]=pulseaudio [parec]=pulseaudio-utils)

if ! command -v apt-get >/dev/null 2>&1; then
  exit 0  # not Debian-like: the README lists what to install by hand
fi

missing=()
have_libs=$(/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null)
for lib in "${!LIBS[@]}"; do
  grep -q "$lib" <<<"$have_libs" || missing+=("${LIBS[$lib]}")
done
for tool in "${!TOOLS[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${TOOLS[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "fmstudio: installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "fmstudio: some system packages are missing; recording, the window or speech tests need them:"
  echo "  sudo apt-get install ${missing[*]}"
fi
exit 0
