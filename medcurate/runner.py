"""The one runner that the CLI and the Prefect flows both call.

It owns everything around a stage's `run`: the deterministic version id (stage, config, inputs and the
fingerprint of the code that runs), the cache hit (re-checked against the shard sizes on disk), the PHI
gate on inputs, the funnel check, the atomic commit, and row-wise stages' parts.
"""
import dataclasses
import hashlib
from dataclasses import dataclass

import fsspec

from medcurate import __version__, schemas
from medcurate.console import console
from medcurate.fingerprint import code_identity
from medcurate.funnel import Funnel
from medcurate.gate import check_deidentified
from medcurate.stage import Part, Phase, Stage, StageInputs
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
    """Run a stage on its inputs into a committed version, or find the version already made (a cache hit).
    A stage with phases runs them part by part (each part a version of its own, so a killed run resumes from
    the parts it committed), then assembles the last phase's parts; the id is the same either way."""
    vid, header = identify(stage, inputs)
    if existing := _cached(store, vid):
        return RunResult(existing, cached=True)
    if not stage.accepts_raw_notes:
        for table in inputs.tables:
            check_deidentified(table)
    earlier = {}
    for phase in stage.phases():
        parts = phase.plan(inputs, earlier)
        if not parts and not earlier:            # fits in one piece: run it whole
            break
        earlier[phase.name] = [run_part(store, stage, vid, phase, part, earlier).version for part in parts]
    if earlier:
        last = earlier[stage.phases()[-1].name]
        return RunResult(_commit(store, vid, {**header, "parts": [v.id for v in last]},
                                 lambda out, funnel: stage.assemble(last, out, funnel)), cached=False)
    return RunResult(_commit(store, vid, header, lambda out, funnel: stage.run(inputs, out, funnel)), cached=False)


def identify(stage: Stage, inputs: StageInputs) -> tuple[str, dict]:
    """The version id a stage's run on these inputs gets, and its manifest header."""
    config = dataclasses.asdict(stage.config)
    identities = [t.ref for t in inputs.tables] + [file_identity(stage, i, p) for i, p in enumerate(inputs.files)]
    code = stage_code(stage)
    code_key = f"{code['digest']}/{sorted(code.get('identity', {}).items())}/schemas-{schemas.SCHEMA_VERSION}"
    vid = version_id(stage.name, config, identities, code_key)
    header = {"stage": stage.name, "config": config, "inputs": identities, "code_version": code["digest"],
              "code": code, "medcurate_version": __version__, "schema_version": schemas.SCHEMA_VERSION}
    return vid, header


def run_part(store: VersionStore, stage: Stage, vid: str, phase: Phase, part: Part,
             earlier: dict[str, list[Version]]) -> RunResult:
    """One part of a phased run, committed as a version of its own (a cache hit when it already is)."""
    part_vid = _part_id(stage, vid, phase, part, earlier)
    if existing := _cached(store, part_vid):
        return RunResult(existing, cached=True)
    header = {**identify(stage, part.inputs)[1], "part_of": vid, "phase": phase.name, "part": part.key,
              "after": [v.id for versions in earlier.values() for v in versions]}
    return RunResult(_commit(store, part_vid, header, lambda out, funnel: phase.run(part, earlier, out, funnel)),
                     cached=False)


def pending_parts(store: VersionStore, stage: Stage, inputs: StageInputs) -> tuple[str, list[Part]]:
    """For a task runner: the first phase with parts not yet committed, and those parts ("", [] when every
    part is committed, or the run needs no parts); committed phases are read back from the store."""
    vid, _ = identify(stage, inputs)
    if _cached(store, vid):
        return "", []
    earlier: dict[str, list[Version]] = {}
    for phase in stage.phases():
        parts = phase.plan(inputs, earlier)
        if not parts and not earlier:
            return "", []
        done = [(part, _committed_part(store, stage, vid, phase, part, earlier)) for part in parts]
        missing = [part for part, version in done if version is None]
        if missing:
            return phase.name, missing
        earlier[phase.name] = [version for _, version in done]
    return "", []


def run_pending_part(store: VersionStore, stage: Stage, inputs: StageInputs, phase_name: str, key: str) -> str:
    """Run the part `key` of phase `phase_name` (its earlier phases must be committed); return its id."""
    vid, _ = identify(stage, inputs)
    earlier: dict[str, list[Version]] = {}
    for phase in stage.phases():
        parts = phase.plan(inputs, earlier)
        if phase.name == phase_name:
            part = next(p for p in parts if p.key == key)
            return run_part(store, stage, vid, phase, part, earlier).version.id
        earlier[phase.name] = [_committed_part(store, stage, vid, phase, p, earlier) for p in parts]
    raise ValueError(f"stage {stage.name} has no phase {phase_name!r}")


def _committed_part(store, stage, vid, phase, part, earlier) -> Version | None:
    return _cached(store, _part_id(stage, vid, phase, part, earlier))


def _part_id(stage: Stage, vid: str, phase: Phase, part: Part, earlier: dict[str, list[Version]]) -> str:
    """A part's id: the run it belongs to, its phase and key, what it reads and the parts before it."""
    after = [v.id for versions in earlier.values() for v in versions]
    reads = identify(stage, part.inputs)[0]
    return version_id(stage.name, {"part of": vid}, [phase.name, part.key, reads, *after], "")


def _commit(store: VersionStore, vid: str, header: dict, write) -> Version:
    pending = store.begin(vid, header)
    try:
        funnel = Funnel()
        summary = write(pending, funnel)
        funnel.check()
        return pending.commit(funnel.to_dict(), summary)
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
