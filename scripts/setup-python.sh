#!/usr/bin/env bash
# Builds (or reuses) the pinned nnU-Net Python environment the tests and CI use, and prints the
# path of its python on the last line of stdout. Everything else goes to stderr.
#
#   scripts/setup-python.sh [v2|v1]
#
# The venv lives outside the repository, at
#   ${NNUNET_WIZARD_VENV_ROOT:-~/.cache/nnunet-wizard}/venv-<version>-<first 10 hex of sha256(requirements)>
# so a change to python/requirements-<version>.txt yields a fresh venv and an unchanged file
# reuses the old one. A venv counts as finished only once the marker file `.complete` exists
# (written after the imports were checked), so an interrupted build is thrown away and redone.
# The interpreter that creates it: $NNUNET_WIZARD_BASE_PYTHON, else python3.11, else python3.
set -euo pipefail

version="${1:-v2}"
case "$version" in
  v1|v2) ;;
  *) echo "usage: $0 [v2|v1]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/python/requirements-$version.txt"
[[ -f "$req" ]] || { echo "setup-python: $req is missing" >&2; exit 1; }

hash="$(sha256sum "$req" | cut -c1-10)"
venv_root="${NNUNET_WIZARD_VENV_ROOT:-$HOME/.cache/nnunet-wizard}"
venv="$venv_root/venv-$version-$hash"
py="$venv/bin/python"

if [[ "$version" == v2 ]]; then
  check='import importlib.metadata as m, nnunetv2, torch, SimpleITK; print("nnunetv2", m.version("nnunetv2"), "torch", torch.__version__)'
else
  check='import importlib.metadata as m, nnunet, torch, SimpleITK; import nnunet.run.run_training, nnunet.experiment_planning.nnUNet_plan_and_preprocess, nnunet.inference.predict_simple; print("nnunet", m.version("nnunet"), "torch", torch.__version__)'
fi

if [[ -f "$venv/.complete" ]] && "$py" -c "$check" >&2; then
  echo "setup-python: reusing $venv" >&2
  echo "$py"
  exit 0
fi

base="${NNUNET_WIZARD_BASE_PYTHON:-}"
if [[ -z "$base" ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then base="$(command -v "$candidate")"; break; fi
  done
fi
[[ -n "$base" ]] || { echo "setup-python: no python3 found; install Python 3.11 (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
if ! base_version="$("$base" --version 2>&1)"; then
  echo "setup-python: the base interpreter $base does not run ($base_version); set NNUNET_WIZARD_BASE_PYTHON to a Python 3.11, or unset it to use python3.11 / python3" >&2
  exit 1
fi

# The first build downloads torch with its CUDA wheels (several GB); pip's own progress follows.
echo "setup-python: building $venv with $base_version from $req (about 6 GB, a few minutes; once, then reused)" >&2
rm -rf "$venv"
mkdir -p "$venv_root"
if ! "$base" -m venv "$venv" >&2; then
  echo "setup-python: '$base -m venv' failed; on Debian install python3-venv (apt-get install python3-venv)" >&2
  rm -rf "$venv"
  exit 1
fi

start=$SECONDS
# --no-input: never wait for a prompt in CI. The pip cache is kept (default) so a rebuild after a
# requirements change downloads only what changed.
"$py" -m pip install --disable-pip-version-check --no-input -r "$req" >&2
"$py" -c "$check" >&2
touch "$venv/.complete"
echo "setup-python: $version ready in $((SECONDS - start)) s, $(du -sh "$venv" | cut -f1)" >&2
echo "$py"
