"""The `medcurate` command line. Summaries and progress go to stderr; stdout carries ids or JSON."""
import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml

from medcurate.console import console
from medcurate.gate import PHIGateError
from stages.deid.engine import DeidUnavailable
from medcurate.inputs import list_files
from medcurate.llm import EngineUnavailable, LLMClient, load_template, make_engine
from medcurate.llm.types import Sampling
from medcurate.registry import INGESTERS, STAGES
from medcurate.report import print_run, print_version, print_versions, version_summary
from medcurate.resolve import InputError, resolve_inputs
from medcurate.stage import RunResult, StageInputs, run_stage
from medcurate.store import VersionStore, default_store_path

app = typer.Typer(help="Curate medical text into versioned Arrow datasets.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
versions_app = typer.Typer(help="List, inspect and tag dataset versions.", invoke_without_command=True)
app.add_typer(versions_app, name="versions")
llm_app = typer.Typer(help="Check the configured LLM engine.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")

StoreOpt = Annotated[Optional[str], typer.Option(
    "--store", help="Store folder or URI (default ./medcurate-store, or $MEDCURATE_STORE).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
TagOpt = Annotated[Optional[str], typer.Option("--tag", help="Also tag the resulting version with this name.")]


def _store(path: str | None) -> VersionStore:
    return VersionStore(path or default_store_path())


def _finish(store: VersionStore, result: RunResult, started: float, tag: str | None, as_json: bool) -> None:
    print_run(result, time.perf_counter() - started)
    if tag:
        store.tag(tag, result.version.id)
        console.print(f"  tagged [bold]{tag}[/]")
    if as_json:
        typer.echo(json.dumps({**version_summary(result.version), "cached": result.cached,
                               "funnel": result.version.manifest["funnel"]}, indent=2))
    else:
        typer.echo(result.version.id)


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(2)


@app.command()
def ingest(
    source: Annotated[str, typer.Argument(help="What the files are: pmc (JATS / MEDLINE XML, .tar.gz "
                                               "packages), exams (exam banks), notes (clinical notes).")],
    paths: Annotated[list[str], typer.Argument(help="Files or folders (searched recursively).")],
    store: StoreOpt = None,
    tag: TagOpt = None,
    format: Annotated[Optional[str], typer.Option(help="exams: force a layout (medqa, medmcqa, pubmedqa, "
                                                       "mmlu, headqa, cmexam, frenchmedmcqa).")] = None,
    text_column: Annotated[Optional[str], typer.Option(help="notes: CSV column with the note text.")] = None,
    id_column: Annotated[Optional[str], typer.Option(help="notes: CSV column with the note id.")] = None,
    surrogate: Annotated[str, typer.Option(help="notes: replace PHI by typed tags ([NAME], [DATE]...) or by "
                                                "consistent fake values per note (tag or fake).")] = "tag",
    as_json: JsonOpt = False,
):
    """Ingest raw files into a new version (documents + passages, or exam_items; plus quarantine).

    Prints the new version id on stdout. Running it again on unchanged files is a cache hit.
    """
    if source not in INGESTERS:
        _fail(f"unknown source {source!r}: choose pmc, exams or notes")
    stage_cls = INGESTERS[source]
    values = {"pmc": {}, "exams": {"format": format},
              "notes": {"text_column": text_column, "id_column": id_column, "surrogate": surrogate}}[source]
    try:
        stage = stage_cls.from_dict({k: v for k, v in values.items() if v is not None})
        inputs = StageInputs(files=list_files(paths))
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))
    except DeidUnavailable as exc:
        _fail(f"the de-identifier cannot load, so no notes are ingested: {exc}")
    st = _store(store)
    started = time.perf_counter()
    _finish(st, run_stage(st, stage, inputs), started, tag, as_json)


@app.command()
def stage(
    name: Annotated[str, typer.Argument(help=f"Stage to run: {', '.join(STAGES)}.")],
    input: Annotated[list[str], typer.Option("--input", "-i", help="A version id, tag, ID:TABLE, or a path "
                     "to raw files (ingest stages) / an external table (JSONL, Parquet, CSV, Arrow, "
                     "Hugging Face dataset folder), imported as a version first.")] = [],
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML or JSON file with the "
                      "stage's settings.")] = None,
    store: StoreOpt = None,
    tag: TagOpt = None,
    as_json: JsonOpt = False,
):
    """Run one stage on its inputs: the same code the flows run, so the same inputs give the same id."""
    if name not in STAGES:
        _fail(f"unknown stage {name!r}; stages: {', '.join(STAGES)}")
    if not input:
        _fail("give at least one --input")
    stage_cls = STAGES[name]
    st = _store(store)
    imported: list[RunResult] = []
    try:
        values = yaml.safe_load(config.read_text()) if config else {}
        stage_obj = stage_cls.from_dict(values or {})
        inputs = resolve_inputs(st, stage_cls, input, imported)
    except (ValueError, FileNotFoundError, InputError, yaml.YAMLError, PHIGateError) as exc:
        _fail(str(exc))
    except DeidUnavailable as exc:
        _fail(f"the de-identifier cannot load: {exc}")
    for result in imported:
        console.print(f"imported external table as [bold]{result.version.id}[/]"
                      + (" (cache hit)" if result.cached else ""))
    started = time.perf_counter()
    try:
        result = run_stage(st, stage_obj, inputs)
    except (PHIGateError, ValueError) as exc:      # bad input or config found while running: no traceback
        _fail(str(exc))
    _finish(st, result, started, tag, as_json)


@versions_app.callback()
def versions(ctx: typer.Context, store: StoreOpt = None, as_json: JsonOpt = False):
    """List the versions in the store (oldest first)."""
    if ctx.invoked_subcommand:
        ctx.obj = store
        return
    st = _store(store)
    found = st.list()
    if as_json:
        typer.echo(json.dumps([version_summary(v) for v in found], indent=2))
    else:
        print_versions(found, st.tags())


@versions_app.command("show")
def versions_show(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Version id, prefix or tag.")],
                  store: StoreOpt = None, as_json: JsonOpt = False):
    """Show one version's manifest: lineage, config, tables, shards, checksums and funnel."""
    st = _store(store or ctx.obj)
    version = st.resolve(ref)
    if version is None:
        _fail(f"no version {ref!r}")
    if as_json:
        typer.echo(json.dumps(version.manifest, indent=2))
        return
    m = version.manifest
    print_version(version, f"committed {m['finished_at']}")
    console.print(f"  stage {m['stage']} (code {m['code_version']}), created {m['created_at']}")
    console.print(f"  config: {json.dumps(m['config'])}")
    for ref_in in m["inputs"]:
        console.print(f"  input: {ref_in}")
    console.print(f"  path: {version.path()}")


@versions_app.command("tag")
def versions_tag(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Version id or prefix.")],
                 name: Annotated[str, typer.Argument(help="Tag name.")], store: StoreOpt = None):
    """Point a tag at a version (moves the tag if it exists)."""
    st = _store(store or ctx.obj)
    version = st.resolve(ref)
    if version is None:
        _fail(f"no version {ref!r}")
    st.tag(name, version.id)
    console.print(f"{name} → {version.id}")


@versions_app.command("verify")
def versions_verify(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Version id or tag.")],
                    store: StoreOpt = None):
    """Re-hash every shard of a version against the checksums in its manifest."""
    version = _store(store or ctx.obj).resolve(ref)
    if version is None:
        _fail(f"no version {ref!r}")
    bad = version.verify()
    if bad:
        _fail(f"{len(bad)} shard(s) changed since commit: {', '.join(bad)}")
    console.print(f"{version.id}: all shards match their checksums")


@llm_app.command("check")
def llm_check(
    engine: Annotated[Optional[str], typer.Option(help="embedded (default), http or vllm.")] = None,
    model: Annotated[Optional[str], typer.Option(help="embedded: smollm2, gemma3-270m or a .gguf path; "
                                                     "http: the served model name; vllm: model folder.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="http: the server, e.g. http://127.0.0.1:8000.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML or JSON file with the engine "
                      "settings (engine, model, base_url, ...); the options above override it.")] = None,
    as_json: JsonOpt = False,
):
    """Load the engine, run one structured request, and print the model, latency and tokens/s."""
    try:
        settings = (yaml.safe_load(config.read_text()) if config else None) or {}
    except (OSError, yaml.YAMLError) as exc:
        _fail(str(exc))
    settings |= {k: v for k, v in {"engine": engine, "model": model, "base_url": base_url}.items() if v}
    started = time.perf_counter()
    try:
        llm = make_engine(settings)
    except (EngineUnavailable, ValueError, TypeError, ImportError, OSError) as exc:
        _fail(f"cannot load the {settings.get('engine', 'embedded')} engine: {exc}")
    loaded = time.perf_counter() - started
    request = load_template("check").request("check", question="Is aspirin a nonsteroidal anti-inflammatory drug?",
                                             sampling=Sampling(max_tokens=96))
    try:
        client = LLMClient(llm)
        cold, result = (client.run([request], progress=False)[0] for _ in range(2))   # first call warms up
    except EngineUnavailable as exc:
        _fail(str(exc))
    finally:
        llm.close()
    speed = result.completion_tokens / result.latency_s if result.latency_s else 0.0
    report = {"identity": llm.identity, "load_s": round(loaded, 2), "first_latency_s": round(cold.latency_s, 3),
              "latency_s": round(result.latency_s, 3), "prompt_tokens": result.prompt_tokens,
              "completion_tokens": result.completion_tokens, "tokens_per_s": round(speed, 1),
              "attempts": result.attempts, "parsed": result.parsed, "error": result.error, "text": result.text}
    console.print(f"model    {json.dumps(llm.identity)}\nloaded   {loaded:.2f} s, first request {cold.latency_s:.2f} s\n"
                  f"request  {result.latency_s:.2f} s, {result.prompt_tokens} prompt + {result.completion_tokens} "
                  f"completion tokens, {speed:.1f} tokens/s, {result.attempts} attempt(s)")
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    if not result.ok:
        _fail(f"{result.error}; raw output: {result.text!r}")
    console.print(f"answer   {json.dumps(result.parsed)}")
