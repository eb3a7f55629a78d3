#!/usr/bin/env bash
# Create the virtualenv and install the project with its development extras. pip's noise about
# this machine's local package mirrors is filtered out; real errors still fail the build.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
quiet() { "$@" 2> >(grep -v -e 'is ignored: it is neither a file nor a directory' >&2); }
quiet "$VENV/bin/pip" install -q --upgrade pip
quiet "$VENV/bin/pip" install -q -e '.[dev]' --config-settings editable_mode=compat
