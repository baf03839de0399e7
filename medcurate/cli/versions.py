"""`medcurate versions [show|tag|verify]` and `medcurate gc`: look after the store."""
import json
from typing import Annotated

import typer

from medcurate.cli.app import app, sub_app
from medcurate.cli.common import JsonOpt, StoreOpt, open_store, resolve_version
from medcurate.console import console
from medcurate.report import print_version, print_versions, version_summary
from medcurate.store import STALE_STAGING_S

versions_app = sub_app("versions", "List, inspect, tag and verify dataset versions.", invoke_without_command=True)


@versions_app.callback()
def versions(ctx: typer.Context, store: StoreOpt = None, as_json: JsonOpt = False):
    """List the versions in the store (oldest first); unreadable ones are listed with the reason."""
    if ctx.invoked_subcommand:
        ctx.obj = store
        return
    st = open_store(store)
    found, broken = st.scan()
    if as_json:
        typer.echo(json.dumps([version_summary(v) for v in found]
                              + [{"id": b.id, "unreadable": b.reason} for b in broken], indent=2))
        return
    print_versions(found, st.tags())
    for bad in broken:
        console.print(f"[red]unreadable[/] {bad.id}: {bad.reason}")


@versions_app.command("show")
def versions_show(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Version id, prefix or tag.")],
                  store: StoreOpt = None, as_json: JsonOpt = False):
    """Show one version's manifest: lineage, config, code, tables, shards, checksums and funnel."""
    version = resolve_version(open_store(store or ctx.obj), ref)
    if as_json:
        typer.echo(json.dumps(version.manifest, indent=2))
        return
    m = version.manifest
    print_version(version, f"committed {m['finished_at']}")
    code = m.get("code", {})
    console.print(f"  stage {m['stage']} (code {m['code_version']}: {len(code.get('modules', {}))} modules"
                  + (f", {', '.join(code['distributions'])}" if code.get("distributions") else "") + ")"
                  + f", created {m['created_at']}")
    console.print(f"  config: {json.dumps(m['config'])}")
    for ref_in in m["inputs"]:
        console.print(f"  input: {ref_in}")
    console.print(f"  path: {version.path()}")


@versions_app.command("tag")
def versions_tag(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Version id or prefix.")],
                 name: Annotated[str, typer.Argument(help="Tag name.")], store: StoreOpt = None):
    """Point a tag at a version (moves the tag if it exists)."""
    st = open_store(store or ctx.obj)
    version = resolve_version(st, ref)
    st.tag(name, version.id)
    console.print(f"{name} → {version.id}")


@versions_app.command("verify")
def versions_verify(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Version id or tag.")],
                    store: StoreOpt = None):
    """Re-hash every shard of a version against its manifest: missing, changed and unlisted files.

    Exits 1 when anything is wrong."""
    version = resolve_version(open_store(store or ctx.obj), ref)
    problems = version.verify()
    if not problems:
        console.print(f"{version.id}: all shards match their checksums")
        return
    for table, found in problems.items():
        for line in found.lines():
            console.print(f"{version.id} {table}: {line}")
    raise typer.Exit(1)


@app.command()
def gc(store: StoreOpt = None,
       older_than: Annotated[float, typer.Option(help="Hours: staging folders older than this are removed.")]
       = STALE_STAGING_S / 3600):
    """Remove unfinished versions left in staging by killed runs; print what was removed."""
    removed = open_store(store).gc(older_than * 3600)
    for name in removed:
        console.print(f"removed staging/{name}")
    console.print(f"{len(removed)} stale staging folder(s) removed")
