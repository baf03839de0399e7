"""The versioned store: deterministic ids, cache hits, atomic commits, checksums, `datasets` loading."""
import json
import threading

import datasets
import pyarrow as pa
import pytest

from medcurate import schemas
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.import_table import ImportTable
from medcurate.stages.select import Select
from medcurate.store import VersionStore


@pytest.fixture
def store(tmp_path):
    return VersionStore(str(tmp_path / "store"))


@pytest.fixture
def passages_jsonl(tmp_path):
    path = tmp_path / "passages.jsonl"
    rows = [{"id": f"p{i}", "text": "Ferritin below 30 ug/L indicates iron deficiency. " * (i + 1),
             "source": "pmc", "kind": "paragraph" if i % 2 else "caption"} for i in range(10)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def _import(store, path, kind="passages"):
    return run_stage(store, ImportTable(ImportTable.Config(kind=kind)), StageInputs(files=[str(path)]))


def test_same_inputs_give_same_id_and_a_cache_hit(store, passages_jsonl):
    first = _import(store, passages_jsonl)
    second = _import(store, passages_jsonl)
    assert not first.cached and second.cached
    assert first.version.id == second.version.id
    assert len(store.list()) == 1


def test_changed_config_or_input_gives_a_new_version_beside_the_old(store, passages_jsonl):
    first = _import(store, passages_jsonl)
    other_kind = _import(store, passages_jsonl, kind="documents")
    passages_jsonl.write_text(passages_jsonl.read_text() + json.dumps({"id": "p99", "text": "x"}) + "\n")
    changed = _import(store, passages_jsonl)
    assert len({first.version.id, other_kind.version.id, changed.version.id}) == 3
    assert store.get(first.version.id).tables["passages"]["rows"] == 10
    assert changed.version.tables["passages"]["rows"] == 11


def test_manifest_records_lineage_checksums_and_funnel(store, passages_jsonl):
    base = _import(store, passages_jsonl).version
    cfg = Select.Config(where=[{"column": "kind", "op": "==", "value": "paragraph", "reason": "not a paragraph"}])
    selected = run_stage(store, Select(cfg), StageInputs(tables=[_table(base, "passages")])).version
    m = selected.manifest
    assert m["inputs"] == [f"{base.id}:passages"]
    assert m["stage"] == "select" and m["kind"] == "passages"
    assert m["funnel"]["in"] == 10 and m["funnel"]["kept"] == 5 and m["funnel"]["dropped"] == {"not a paragraph": 5}
    shard = m["tables"]["passages"]["shards"][0]
    assert len(shard["sha256"]) == 64 and shard["rows"] == 5
    assert selected.verify() == {}


def test_verify_detects_a_changed_shard(store, passages_jsonl):
    version = _import(store, passages_jsonl).version
    shard = f"{version.path('passages')}/{version.tables['passages']['shards'][0]['file']}"
    with open(shard, "r+b") as fh:
        fh.seek(-8, 2)
        fh.write(b"XXXXXXXX")
    problems = version.verify()
    assert list(problems) == ["passages"] and problems["passages"].changed == ["data-00000.arrow"]


class _FailingSelect(Select):
    """A real stage that dies half-way, after writing part of its output."""
    name = "select"

    def run(self, inputs, out, funnel):
        out.table("passages", pa.schema([("id", pa.string())])).write([{"id": "half"}])
        raise RuntimeError("killed mid-write")


def test_a_failed_run_leaves_no_version_and_no_staging(store, passages_jsonl):
    base = _import(store, passages_jsonl).version
    with pytest.raises(RuntimeError, match="killed"):
        run_stage(store, _FailingSelect(), StageInputs(tables=[_table(base, "passages")]))
    assert [v.id for v in store.list()] == [base.id]
    assert list((store_path(store) / "staging").iterdir()) == []


class _PeekingSelect(Select):
    """Checks, while writing, that readers cannot see the version yet."""
    name = "select"
    seen_during_run: list = []

    def run(self, inputs, out, funnel):
        summary = super().run(inputs, out, funnel)
        self.seen_during_run.append((out.store.get(out.id), [v.id for v in out.store.list()]))
        return summary


def test_readers_never_see_a_version_before_commit(store, passages_jsonl):
    base = _import(store, passages_jsonl).version
    result = run_stage(store, _PeekingSelect(), StageInputs(tables=[_table(base, "passages")]))
    (got, listed), = _PeekingSelect.seen_during_run
    assert got is None and listed == [base.id]
    assert store.get(result.version.id) is not None


def test_concurrent_identical_runs_commit_once(store, passages_jsonl):
    base = _import(store, passages_jsonl).version
    results = []

    def run():
        results.append(run_stage(store, Select(), StageInputs(tables=[_table(base, "passages")])))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.version.id for r in results}) == 1
    assert len(store.list()) == 2
    assert list((store_path(store) / "staging").iterdir()) == []


def test_tags_and_prefixes_resolve(store, passages_jsonl):
    version = _import(store, passages_jsonl).version
    store.tag("latest-passages", version.id)
    assert store.resolve("latest-passages").id == version.id
    assert store.resolve(version.id[:14]).id == version.id
    assert store.resolve("nope") is None


@pytest.mark.parametrize("kind", sorted(schemas.KINDS))
def test_every_kind_opens_with_hf_datasets(store, kind, tmp_path):
    schema = schemas.KINDS[kind]
    pending = store.begin(f"test-{kind}", {"stage": "test", "config": {}, "inputs": []})
    row = _example_row(schema)
    pending.table(kind, schema).write([row, {**row, "id": "second"}])
    version = pending.commit({"in": 2, "kept": 2})
    ds = datasets.load_from_disk(version.path(kind))
    assert ds.num_rows == 2 and ds[1]["id"] == "second"
    assert ds.column_names == schema.names
    files = [f"{version.path(kind)}/{s['file']}" for s in version.tables[kind]["shards"]]
    streamed = datasets.load_dataset("arrow", data_files=files, split="train")
    assert streamed.num_rows == 2


def test_shards_roll_over_and_empty_tables_still_load(store):
    pending = store.begin("test-shards", {"stage": "test", "config": {}, "inputs": []})
    writer = pending.table("quarantine", schemas.QUARANTINE)
    writer.max_rows = 3
    writer.write([{"id": str(i), "file": "f", "reason": "r"} for i in range(7)])
    pending.table("deletions", schemas.DELETIONS)
    version = pending.commit({})
    assert [s["rows"] for s in version.tables["quarantine"]["shards"]] == [3, 3, 1]
    assert datasets.load_from_disk(version.path("quarantine")).num_rows == 7
    assert datasets.load_from_disk(version.path("deletions")).num_rows == 0


def _table(version, name):
    from medcurate.stage import TableInput
    return TableInput(version, name)


def store_path(store):
    from pathlib import Path
    return Path(store.root)


def _example_row(schema: pa.Schema) -> dict:
    values = {pa.string(): "x", pa.int32(): 1, pa.int64(): 2, pa.bool_(): True}
    row = {}
    for field in schema:
        if field.type in values:
            row[field.name] = values[field.type]
        elif pa.types.is_struct(field.type):
            row[field.name] = {f.name: values.get(f.type) for f in field.type}
        elif pa.types.is_list(field.type):
            item = field.type.value_type
            row[field.name] = [{f.name: values[f.type] for f in item} if pa.types.is_struct(item) else "y"]
    return row
