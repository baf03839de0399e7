"""The one runner that the CLI and the Prefect flows both call.

It owns everything around a stage's `run`: the deterministic version id (stage, config, inputs and the
fingerprint of the code that runs), the cache hit (re-checked against the shard sizes on disk), the PHI
gate on inputs, the funnel check, the atomic commit, and row-wise stages' parts.
"""
import dataclasses
import hashlib
import os
from dataclasses import dataclass

import fsspec

from medcurate import __version__, schemas
from medcurate.console import console
from medcurate.fingerprint import code_identity
from medcurate.funnel import Funnel
from medcurate.gate import check_deidentified
from medcurate.stage import Stage, StageInputs, TableInput
from medcurate.store import StoreError, Version, VersionStore, version_id


@dataclass(frozen=True)
class RunResult:
    version: Version
    cached: bool


def stage_code(stage: Stage) -> dict:
    """What code and models decide this stage's output (see medcurate/fingerprint.py)."""
    code = code_identity(type(stage).__module__, type(stage).distributions)
    extra = stage.identity()
    if extra:
        code = {**code, "identity": extra}
    return code


def run_stage(store: VersionStore, stage: Stage, inputs: StageInputs) -> RunResult:
    config = dataclasses.asdict(stage.config)
    identities = [t.ref for t in inputs.tables] + [file_identity(stage, i, p) for i, p in enumerate(inputs.files)]
    code = stage_code(stage)
    rows_per_part = part_rows(stage)
    code_key = f"{code['digest']}/{sorted(code.get('identity', {}).items())}/schemas-{schemas.SCHEMA_VERSION}" + (
        f"/parts-{rows_per_part}" if rows_per_part else "")
    vid = version_id(stage.name, config, identities, code_key)
    if existing := _cached(store, vid):
        return RunResult(existing, cached=True)
    parts = plan_parts(stage, inputs)
    if not stage.accepts_raw_notes and not parts:
        for table in inputs.tables:
            check_deidentified(table)
    header = {"stage": stage.name, "config": config, "inputs": identities, "code_version": code["digest"],
              "code": code, "medcurate_version": __version__, "schema_version": schemas.SCHEMA_VERSION}
    if parts:                     # each part is a version of its own: done parts are cache hits on a rerun
        done = [run_stage(store, stage, part).version for part in parts]
        return RunResult(assemble(store, vid, {**header, "parts": [v.id for v in done]}, done), cached=False)
    pending = store.begin(vid, header)
    try:
        funnel = Funnel()
        summary = stage.run(inputs, pending, funnel)
        funnel.check()
        return RunResult(pending.commit(funnel.to_dict(), summary), cached=False)
    except BaseException:
        pending.abort()
        raise


def _cached(store: VersionStore, vid: str) -> Version | None:
    """The committed version, if it is whole; a damaged one is removed (and made again) with a warning."""
    try:
        existing = store.get(vid)
    except StoreError as exc:
        console.print(f"[yellow]warning:[/] {exc}; making it again")
        store.remove_broken(vid)
        return None
    if existing and not existing.sizes_match():
        raise StoreError(f"version {vid}: a shard is missing or changed size since commit; run "
                         f"`medcurate versions verify {vid}`, then delete the version folder to make it again")
    return existing


def part_rows(stage: Stage) -> int | None:
    """The stage's part size; MEDCURATE_PART_ROWS overrides it for every row-wise stage (smaller parts:
    finer resume and more parallel tasks). It is part of the version id, so set it the same for reruns."""
    override = os.environ.get("MEDCURATE_PART_ROWS")
    return (int(override) if override and stage.part_rows else None) or stage.part_rows


def plan_parts(stage: Stage, inputs: StageInputs) -> list[StageInputs]:
    """The parts a row-wise stage's run is split into (none when it fits in one part)."""
    size = part_rows(stage)
    if not size or not inputs.tables or inputs.tables[0].rows:
        return []
    first, rest = inputs.tables[0], inputs.tables[1:]
    total = first.num_rows
    if total <= size:
        return []
    return [StageInputs(tables=[TableInput(first.version, first.table, (start, min(start + size, total))), *rest],
                        files=inputs.files)
            for start in range(0, total, size)]


def assemble(store: VersionStore, vid: str, header: dict, parts: list[Version]) -> Version:
    """One version from its parts, in order: tables concatenated, funnels and summaries added up."""
    pending = store.begin(vid, header)
    try:
        for name, info in parts[0].tables.items():
            writer = pending.table(name, parts[0].schema(name), info["kind"])
            for part in parts:
                for batch in part.iter_batches(name):
                    writer.write(batch)
        funnel = _add([p.manifest["funnel"] for p in parts])
        return pending.commit(funnel, _add([p.manifest["summary"] for p in parts]))
    except BaseException:
        pending.abort()
        raise


def _add(values: list):
    """Counts add up, rates (floats) average, dicts merge key by key; anything else keeps its first value."""
    first = values[0]
    if isinstance(first, bool) or not isinstance(first, (int, float, dict)):
        return first
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for v in values if isinstance(v, dict) for k in v))
        return {k: _add([v[k] for v in values if isinstance(v, dict) and k in v]) for k in keys}
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(numbers) if isinstance(first, int) else round(sum(numbers) / len(numbers), 4)


def file_identity(stage: Stage, position: int, path: str) -> str:
    """How a raw input file is named in a version id and manifest: path and digest, or, for stages that read
    clinical notes (whose file names may name patients), its position and digest only."""
    return f"{'file-' + str(position) if stage.accepts_raw_notes else path}@{file_digest(path)}"


def file_digest(path: str) -> str:
    """Content hash of an input file (or of every file in a folder), so the version id changes with it."""
    fs, root = fsspec.core.url_to_fs(path)
    names = sorted(fs.find(root)) if fs.isdir(root) else [root]
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.removeprefix(root).encode())
        with fs.open(name, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]
