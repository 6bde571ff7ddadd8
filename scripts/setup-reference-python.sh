#!/usr/bin/env bash
# Builds (or reuses) the small pinned Python environment holding the reference implementations the
# tests compare the app's metrics and files with (python/requirements-reference.txt: DeepMind's
# surface-distance, Slicer's slicerio, numpy, scipy, SimpleITK, and for DICOM pydicom, highdicom and rt-utils; no torch, about 300 MB), and prints the path of its
# python on the last line of stdout. Everything else goes to stderr.
#
#   scripts/setup-reference-python.sh
#
# The venv lives outside the repository, at
#   ${NNUNET_WIZARD_VENV_ROOT:-~/.cache/nnunet-wizard}/venv-reference-<first 10 hex of sha256(requirements)>
# and counts as finished only once its marker `.complete` exists (written after the imports were
# checked), as scripts/setup-python.sh does for nnU-Net. The interpreter that creates it:
# $NNUNET_WIZARD_BASE_PYTHON, else python3.11, else python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/python/requirements-reference.txt"
[[ -f "$req" ]] || { echo "setup-reference-python: $req is missing" >&2; exit 1; }

hash="$(sha256sum "$req" | cut -c1-10)"
venv_root="${NNUNET_WIZARD_VENV_ROOT:-$HOME/.cache/nnunet-wizard}"
venv="$venv_root/venv-reference-$hash"
py="$venv/bin/python"
check='import importlib.metadata as m, numpy, scipy, SimpleITK, surface_distance, slicerio, nrrd, pydicom, highdicom, rt_utils, openjpeg; print("surface-distance", m.version("surface-distance"), "numpy", numpy.__version__)'

if [[ -f "$venv/.complete" ]] && "$py" -c "$check" >&2; then
  echo "setup-reference-python: reusing $venv" >&2
  echo "$py"
  exit 0
fi

base="${NNUNET_WIZARD_BASE_PYTHON:-}"
if [[ -z "$base" ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then base="$(command -v "$candidate")"; break; fi
  done
fi
[[ -n "$base" ]] || { echo "setup-reference-python: no python3 found; install Python 3.11 (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }

echo "setup-reference-python: building $venv from $req (about 150 MB, once, then reused)" >&2
rm -rf "$venv"
mkdir -p "$venv_root"
if ! "$base" -m venv "$venv" >&2; then
  echo "setup-reference-python: '$base -m venv' failed; on Debian install python3-venv (apt-get install python3-venv)" >&2
  rm -rf "$venv"
  exit 1
fi
"$py" -m pip install --disable-pip-version-check --no-input -r "$req" >&2
"$py" -c "$check" >&2
touch "$venv/.complete"
echo "$py"
