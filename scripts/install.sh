#!/usr/bin/env bash
# Create the virtualenv and install the project (editable) with its development extras.
# pip's and setuptools' chatter goes to var/install.log; on failure the log is printed.
set -uo pipefail
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
mkdir -p var
LOG=var/install.log
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || exit 1
echo "Installation des dépendances Python (journal : $LOG)…"
if ! { "$VENV/bin/pip" install -q --upgrade pip && "$VENV/bin/pip" install -q -e '.[dev]'; } >"$LOG" 2>&1; then
    grep -v -e 'is ignored: it is neither a file nor a directory' "$LOG" >&2
    echo "Échec de l'installation des dépendances Python (voir $LOG)." >&2
    exit 1
fi
