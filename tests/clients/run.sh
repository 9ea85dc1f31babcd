#!/usr/bin/env bash
# Runs the real-client tests: run.sh RERANKD_BINARY MODEL_DIR VENV_DIR [SCRIPT]
# (SCRIPT defaults to run_client_tests.py beside this file; tests/hub passes its own.)
#
# Makes a venv at VENV_DIR (python3 -m venv) with requirements.txt installed, unless one made
# from the same requirements.txt (its sha256 is kept in VENV_DIR) is already there, then runs
# run_client_tests.py with the venv's python. Installing needs PyPI; the tests themselves talk
# to 127.0.0.1 only.
set -euo pipefail

if [[ $# -ne 3 && $# -ne 4 ]]; then
  echo "usage: $0 RERANKD_BINARY MODEL_DIR VENV_DIR [SCRIPT]" >&2
  exit 2
fi
rerankd=$1
model=$2
venv=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script=${4:-$here/run_client_tests.py}
requirements=$here/requirements.txt
stamp=$venv/requirements.sha256
python=${PYTHON:-python3}

want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ ! -x $venv/bin/python || ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "run.sh: the client tests need Python 3.11 or newer as $python" >&2
    exit 1
  fi
  if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "run.sh: '$python -m venv' is unavailable; install python3-venv (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
  if [[ -e $venv ]]; then
    # Only ever delete a venv: a path given by mistake must not be wiped.
    if [[ ! -f $venv/pyvenv.cfg ]]; then
      echo "run.sh: $venv exists and is not a venv; remove it or pick another VENV_DIR" >&2
      exit 1
    fi
    rm -rf -- "$venv"
  fi
  if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    echo "run.sh: '$python -m venv $venv' failed; install python3-venv (scripts/install-deps.sh installs it)" >&2
    exit 1
  fi
  echo "run.sh: installing $requirements into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r "$requirements"
  echo "$want" >"$stamp"
fi

exec "$venv/bin/python" "$script" --rerankd "$rerankd" --model "$model"
