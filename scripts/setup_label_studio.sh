#!/usr/bin/env bash
# Build .venv-labelstudio: the Label Studio server for the human-review round trip and its integration test.
#
#   bash scripts/setup_label_studio.sh      # idempotent: rerunning does nothing when the pinned version is there
#
# Its own venv because the server pins Django and friends that have no business in medcurate's venv;
# medcurate itself only needs the client, label-studio-sdk, which is in its normal dependencies.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LABEL_STUDIO_VENV:-$ROOT/.venv-labelstudio}"
VERSION="1.23.2"
PY="$VENV/bin/python"

if "$PY" -c "import sys; from importlib.metadata import version; sys.exit(version('label-studio') != '$VERSION')" 2>/dev/null; then
    echo "label-studio $VERSION already in $VENV"
    exit 0
fi
start=$SECONDS
[[ -x "$PY" ]] || python3.11 -m venv "$VENV"
# this machine's pip config lists local index folders that lack most packages: mute that noise
"$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip \
    2> >(grep -v 'is neither a file nor a directory' >&2)
"$PY" -m pip install --quiet --disable-pip-version-check "label-studio==$VERSION" \
    2> >(grep -v 'is neither a file nor a directory' >&2)
echo "label-studio $VERSION installed in $VENV in $((SECONDS - start)) s ($(du -sh "$VENV" | cut -f1))"
