"""The `--since-last` high-water marks, kept beside the downloads: one per licence-group folder (legacy
layout, file lists' "Last Updated") and one for the cloud layout's inventory (`inventory`, LastModifiedDate).

The file is hidden (`.medcurate-fetch.json`) so `medcurate ingest pmc OUTDIR` never reads it.
"""
import json
import os
from pathlib import Path

STATE_FILE = ".medcurate-fetch.json"


def load_marks(out_dir: Path) -> dict[str, str]:
    path = out_dir / STATE_FILE
    return json.loads(path.read_text()).get("high_water", {}) if path.exists() else {}


def save_marks(out_dir: Path, marks: dict[str, str]) -> None:
    """Written to a temporary file and renamed, so a kill never leaves half a state file."""
    tmp = out_dir / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps({"high_water": marks}, indent=2, sort_keys=True))
    os.replace(tmp, out_dir / STATE_FILE)
