"""`medcurate annotate export|import`: the Label Studio round trip."""
import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from medcurate.annotation.configs import KINDS as ANNOTATION_KINDS
from medcurate.annotation.configs import load_config
from medcurate.annotation.export import build_export
from medcurate.annotation.import_stage import ImportAnnotations
from medcurate.annotation.report import print_agreement
from medcurate.annotation.server import download_to, push
from medcurate.cli.app import sub_app
from medcurate.cli.common import AssumeOpt, JsonOpt, StoreOpt, TagOpt, fail, finish, open_store
from medcurate.console import console
from medcurate.runner import RunResult, run_stage
from medcurate.stage import StageInputs

annotate_app = sub_app("annotate", "Human review with Label Studio: export tasks, import annotations.",
                       no_args_is_help=True)

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
    assume_deidentified: AssumeOpt = None,
    as_json: JsonOpt = False,
):
    """Write a review sample as Label Studio tasks (model outputs as predictions); with --url and --token
    also push it into a project. Rows already in the project are skipped, so exporting again is safe."""
    if kind not in ANNOTATION_KINDS:
        fail(f"unknown kind {kind!r}: choose {' or '.join(ANNOTATION_KINDS)}")
    if bool(url) != bool(token):
        fail("give both --url and --token (or $LABEL_STUDIO_URL and $LABEL_STUDIO_API_KEY), or neither")
    st = open_store(store)
    imported: list[RunResult] = []
    export = build_export(st, input, kind, sample, seed, imported, assume_deidentified)
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
        pushed = push(url, token, title, config, export.tasks)
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
        fail("give --file, or --url, --token and --project")
    started = time.perf_counter()
    if file is None:
        file = download_to(download_dir, url, token, project)
        console.print(f"downloaded project {project!r} → {file} in {time.perf_counter() - started:.1f}s")
    st = open_store(store)
    result = run_stage(st, ImportAnnotations.from_dict({"project": project} if project else {}),
                       StageInputs(files=[str(file)]))
    print_agreement(result.version.manifest["summary"])
    finish(st, result, started, tag, as_json)


