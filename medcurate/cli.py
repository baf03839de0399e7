"""The `medcurate` command line. Summaries and progress go to stderr; stdout carries ids or JSON."""
import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml

from annotation.configs import KINDS as ANNOTATION_KINDS, load_config
from annotation.export import build_export
from annotation.import_stage import ImportAnnotations
from annotation.report import print_agreement
from annotation.server import ServerError, download_to, push
from medcurate.console import console
from medcurate.gate import PHIGateError
from stages.deid.engine import DeidUnavailable
from medcurate.inputs import list_files
from medcurate.llm import EngineUnavailable, LLMClient, load_template, make_engine
from medcurate.llm.types import Sampling
from medcurate.pipeline_commands import demo, run
from medcurate.registry import INGESTERS, STAGES
from medcurate.report import print_run, print_version, print_versions, version_summary
from medcurate.resolve import InputError, resolve_inputs
from medcurate.stage import RunResult, StageInputs, run_stage
from medcurate.store import VersionStore, default_store_path
from medcurate.card import write_card
from medcurate.fetch.layout import DEFAULT_BASE_URL, DEFAULT_GROUPS, Layout
from medcurate.fetch.pmc import FetchOptions, fetch_ids, fetch_since_last
from medcurate.fetch.report import print_report

app = typer.Typer(help="Curate medical text into versioned Arrow datasets.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
versions_app = typer.Typer(help="List, inspect and tag dataset versions.", invoke_without_command=True)
app.add_typer(versions_app, name="versions")
app.command()(run)
app.command()(demo)
llm_app = typer.Typer(help="Check the configured LLM engine.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")
annotate_app = typer.Typer(help="Human review with Label Studio: export tasks, import annotations.",
                            no_args_is_help=True)
app.add_typer(annotate_app, name="annotate")

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


UrlOpt = Annotated[Optional[str], typer.Option("--url", envvar="LABEL_STUDIO_URL",
                                              help="Label Studio server, e.g. http://127.0.0.1:8080.")]
TokenOpt = Annotated[Optional[str], typer.Option("--token", envvar="LABEL_STUDIO_API_KEY", show_envvar=True,
                                                help="API token (legacy token or personal access token).")]


@annotate_app.command("export")
def annotate_export(
    input: Annotated[str, typer.Option("--input", "-i", help="qa_pairs (--kind qa) or passages (--kind labels): "
                                       "a version id, tag, ID:TABLE or a table file.")],
    kind: Annotated[str, typer.Option(help=f"What to review: {' or '.join(ANNOTATION_KINDS)}.")] = "qa",
    sample: Annotated[int, typer.Option(help="How many rows: half the least certain, half spread over "
                                             "source x discipline.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the order within strata.")] = 0,
    out: Annotated[Path, typer.Option(help="Where to write the Label Studio task JSON.")] = Path("tasks.json"),
    url: UrlOpt = None,
    token: TokenOpt = None,
    project: Annotated[Optional[str], typer.Option(help="Project title (created if missing).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
):
    """Write a review sample as Label Studio tasks (model outputs as predictions); with --url and --token
    also push it into a project. Rows already in the project are skipped, so exporting again is safe."""
    if kind not in ANNOTATION_KINDS:
        _fail(f"unknown kind {kind!r}: choose {' or '.join(ANNOTATION_KINDS)}")
    if bool(url) != bool(token):
        _fail("give both --url and --token (or $LABEL_STUDIO_URL and $LABEL_STUDIO_API_KEY), or neither")
    st = _store(store)
    imported: list[RunResult] = []
    try:
        export = build_export(st, input, kind, sample, seed, imported)
    except (ValueError, FileNotFoundError, InputError, PHIGateError) as exc:
        _fail(str(exc))
    for result in imported:
        console.print(f"imported {input} as [bold]{result.version.id}[/]"
                      + (" (cache hit)" if result.cached else ""))
    out.write_text(json.dumps(export.tasks, indent=1, ensure_ascii=False))
    report = {"input": export.input_ref, "rows": export.rows, "tasks": len(export.tasks),
              "reasons": export.reasons(), "file": str(out)}
    console.print(f"{len(export.tasks)} of {export.rows:,} rows of {export.input_ref} "
                  f"({', '.join(f'{n} {r}' for r, n in export.reasons().items())}) → {out}")
    if url:
        config = load_config(kind)
        title = project or f"medcurate {config.ref}"
        started = time.perf_counter()
        try:
            pushed = push(url, token, title, config, export.tasks)
        except (ServerError, ValueError) as exc:
            _fail(str(exc))
        report |= {"project": title, "project_id": pushed.project_id, "created": pushed.created,
                   "skipped": pushed.skipped}
        console.print(f"project {title!r} (id {pushed.project_id}{', new' if pushed.project_created else ''}): "
                      f"{pushed.created} tasks created, {pushed.skipped} already there, "
                      f"{time.perf_counter() - started:.1f}s")
    typer.echo(json.dumps(report, indent=2) if as_json else str(out))


@annotate_app.command("import")
def annotate_import(
    file: Annotated[Optional[Path], typer.Option(help="A Label Studio JSON export (instead of a server).")] = None,
    url: UrlOpt = None,
    token: TokenOpt = None,
    project: Annotated[Optional[str], typer.Option(help="Project title: which project to download; "
                                                       "recorded on every row.")] = None,
    download_dir: Annotated[Path, typer.Option(help="Where server downloads are kept (the stage's input).")]
    = Path("label-studio-downloads"),
    store: StoreOpt = None,
    tag: TagOpt = None,
    as_json: JsonOpt = False,
):
    """Pull finished annotations into an `annotations` version and print the agreement report."""
    if file is None and not (url and token and project):
        _fail("give --file, or --url, --token and --project")
    started = time.perf_counter()
    if file is None:
        try:
            file = download_to(download_dir, url, token, project)
        except (ServerError, ValueError) as exc:
            _fail(str(exc))
        console.print(f"downloaded project {project!r} → {file} in {time.perf_counter() - started:.1f}s")
    st = _store(store)
    try:
        result = run_stage(st, ImportAnnotations.from_dict({"project": project} if project else {}),
                           StageInputs(files=[str(file)]))
    except (ValueError, KeyError, FileNotFoundError) as exc:
        _fail(f"{file}: {exc}")
    print_agreement(result.version.manifest["summary"])
    _finish(st, result, started, tag, as_json)


fetch_app = typer.Typer(help="Download raw inputs for ingest (PMC Open Access articles).", no_args_is_help=True)
app.add_typer(fetch_app, name="fetch")


@fetch_app.command("pmc")
def fetch_pmc(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to download into; then run "
                                      "`medcurate ingest pmc OUT`.")] = Path("pmc-oa"),
    ids: Annotated[Optional[str], typer.Option(help="PMCIDs, comma separated: PMC123,PMC456.")] = None,
    ids_file: Annotated[Optional[Path], typer.Option(help="A file of PMCIDs, one a line (# comments).")] = None,
    since_last: Annotated[bool, typer.Option("--since-last", help="Fetch the file-list entries updated since "
                                             "the previous --since-last run into OUT.")] = False,
    since: Annotated[Optional[str], typer.Option(help="With --since-last: start after this time instead "
                                                 "(\"YYYY-MM-DD HH:MM:SS\", UTC; a date alone works).")] = None,
    groups: Annotated[str, typer.Option(help="Licence groups: comm, noncomm, other (or a bucket folder "
                                        "name such as phe_timebound).")] = ",".join(DEFAULT_GROUPS),
    base_url: Annotated[str, typer.Option(help="The bucket over HTTPS, or a mirror.")] = DEFAULT_BASE_URL,
    prefix: Annotated[Optional[str], typer.Option(help="Key prefix in the bucket, e.g. deprecated/ for "
                                                  "PMC's moved legacy layout.")] = None,
    layout: Annotated[Optional[Path], typer.Option(help="YAML with prefix / article / filelist key "
                                                   "templates, for a changed bucket layout.")] = None,
    workers: Annotated[int, typer.Option(help="Downloads in flight.")] = 4,
    retries: Annotated[int, typer.Option(help="Retries per file on connection loss, 429 and 5xx.")] = 4,
    backoff: Annotated[float, typer.Option(help="Seconds before the first retry; doubles each time.")] = 1.0,
):
    """Download PMC Open Access articles over HTTPS (no credentials): resumable, checksummed.

    Prints the output folder on stdout; exits 1 when some files failed (they are listed with reasons).
    """
    if since_last == bool(ids or ids_file):
        _fail("give --ids / --ids-file, or --since-last")
    try:
        options = FetchOptions(out, base_url, tuple(g.strip() for g in groups.split(",") if g.strip()),
                               Layout.from_file(layout and str(layout), prefix), workers, retries, backoff)
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        if since_last:
            report = fetch_since_last(options, since)
        else:
            listed = (ids or "").split(",") + (ids_file.read_text().splitlines() if ids_file else [])
            report = fetch_ids(options, [i for i in (x.split("#")[0].strip() for x in listed) if i])
    except (ValueError, TypeError, OSError, yaml.YAMLError) as exc:
        _fail(str(exc))
    print_report(report, str(out), time.perf_counter() - started)
    typer.echo(str(out))
    if report.by_status("failed"):
        raise typer.Exit(1)


@app.command()
def card(
    ref: Annotated[str, typer.Argument(help="Version id, prefix or tag.")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write here instead of into the "
                                                "version's folder.")] = None,
    store: StoreOpt = None,
):
    """Write a dataset card (README.md with Hugging Face metadata, plus PNG plots) for a version.

    Prints the README path on stdout.
    """
    st = _store(store)
    version = st.resolve(ref)
    if version is None:
        _fail(f"no version {ref!r}")
    started = time.perf_counter()
    readme = write_card(st, version.id, str(out) if out else None)
    console.print(f"card for {version.id} written in {time.perf_counter() - started:.1f}s")
    typer.echo(readme)
