"""The `dedup` stage: datasketch-exact signatures, LSH compatibility, exact / near / cross-source
duplicates on real PMC paragraphs, the keep policy, external tables, and the bounded-memory path."""
import json
import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from datasketch import MinHash, MinHashLSH
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.runner import run_stage
from medcurate.stage import StageInputs, TableInput
from medcurate.stages.dedup.lsh import band_keys, band_params, pairs_of_equal_keys
from medcurate.stages.dedup.shingles import (
    batch_tokens,
    char_shingle_hash,
    char_shingles,
    content_keys,
    shingle_hash,
    tokenize,
    word_shingles,
)
from medcurate.stages.dedup.signatures import MinHasher
from medcurate.stages.dedup.stage import Dedup
from medcurate.store import VersionStore


@pytest.fixture(scope="module")
def paragraphs(real_store) -> list[str]:
    table = real_store.resolve("pmc").read("passages")
    texts = table.filter(pc.equal(table["kind"], "paragraph"))["text"].to_pylist()
    seen, out = set(), []
    for t in texts:
        key = " ".join(tokenize(t))
        if len(key.split()) >= 40 and key not in seen:
            seen.add(key)
            out.append(t)
    return out


def datasketch_signature(tokens: list[str], n: int, num_perm: int = 128) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=1, hashfunc=shingle_hash)
    shingles = [tuple(tokens[j:j + n]) for j in range(len(tokens) - n + 1)] if len(tokens) >= n else [tuple(tokens)]
    if tokens:
        m.update_batch(shingles)
    return m.hashvalues


@pytest.mark.parametrize("n", [1, 2, 5])
def test_signatures_equal_datasketch_on_real_paragraphs(paragraphs, n):
    texts = paragraphs[:40] + ["", "Short one.", "(IL-6) — raised; TNF-α ↑ in  sepsis!", "... ---"]
    signatures = MinHasher().signatures(word_shingles(batch_tokens(pa.array(texts + [None])), n))
    for text, signature in zip(texts, signatures):
        assert np.array_equal(signature, datasketch_signature(tokenize(text), n)), text[:60]
    assert (signatures[-1] == np.uint32(0xFFFFFFFF)).all()     # null text: the empty signature


def test_char_signatures_equal_datasketch(paragraphs):
    texts = paragraphs[:10] + ["ab", "", "Émile  ZOLA"]
    signatures = MinHasher(64).signatures(char_shingles(pa.array(texts), 5))
    for text, signature in zip(texts, signatures):
        folded = " ".join(text.lower().split()).encode()
        m = MinHash(num_perm=64, seed=1, hashfunc=char_shingle_hash)
        if folded:
            m.update_batch([folded[j:j + 5] for j in range(len(folded) - 4)] if len(folded) >= 5 else [folded])
        assert np.array_equal(signature, m.hashvalues)


def test_band_grouping_finds_what_datasketch_lsh_finds(paragraphs):
    rng = random.Random(1)
    texts = paragraphs[:300]
    texts += [" ".join(w if rng.random() > 0.08 else "edited" for w in t.split()) for t in texts[:100]]
    hasher = MinHasher()
    signatures = hasher.signatures(word_shingles(batch_tokens(pa.array(texts)), 2))
    bands, rows = band_params(0.5, 128)
    keys = band_keys(signatures, bands, rows)
    ours = set()
    for b in range(bands):
        left, right = pairs_of_equal_keys(keys[:, b], np.arange(len(texts)))
        groups: dict[int, set] = {}
        for a, c in zip(left, right):
            groups.setdefault(int(a), {int(a)}).add(int(c))
        ours |= {(x, y) for g in groups.values() for x in g for y in g if x < y}
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lean = [hasher.lean(s) for s in signatures]
    for i, m in enumerate(lean):
        lsh.insert(i, m)
    theirs = {(min(i, j), max(i, j)) for i, m in enumerate(lean) for j in lsh.query(m) if i != j}
    assert theirs and ours == theirs
    assert lean[0].jaccard(lean[300]) > 0.5


def test_content_keys_ignore_case_punctuation_and_spacing():
    keys = content_keys(batch_tokens(pa.array(["Aspirin, 100 mg daily.", "aspirin 100   MG daily",
                                               "aspirin 100 mg", "daily aspirin 100 mg", ""])))
    assert keys[0] == keys[1] and len({keys[1], keys[2], keys[3]}) == 3 and keys[4] == 0


def _external(tmp_path, rows: list[dict], name="corpus.jsonl") -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def _run(store, config, *tables):
    return run_stage(store, Dedup.from_dict(config), StageInputs(tables=list(tables))).version


def test_exact_near_and_unique_rows_on_real_passages(tmp_path, real_store, paragraphs):
    base = paragraphs[:200]
    near = " ".join(w if i % 25 else "modified" for i, w in enumerate(base[3].split()))   # 4% substituted
    exact = base[5].upper().replace(",", " ,")
    rows = [{"id": f"p{i}", "text": t, "license_group": "non-commercial"} for i, t in enumerate(base)]
    rows += [{"id": "near-of-3", "text": near, "license_group": "commercial"},
             {"id": "exact-of-5", "text": exact, "license_group": "non-commercial"}]
    result = CliRunner().invoke(app, ["stage", "dedup", "--input", _external(tmp_path, rows),
                                      "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    version = VersionStore(str(tmp_path / "s")).get(result.stdout.strip().splitlines()[-1])
    table = version.read(version.manifest["kind"])
    by_id = {r["id"]: r for r in table.to_pylist()}
    assert len(by_id) == len(rows)                                    # tagged, never deleted; ids preserved
    # the commercially licensed copy is kept although it is the later, edited one
    assert by_id["near-of-3"]["dup_keep"] and not by_id["p3"]["dup_keep"]
    assert by_id["p3"]["dup_cluster"] == "near-of-3" and by_id["p3"]["dup_kind"] == "near"
    assert 0.5 <= by_id["p3"]["dup_similarity"] < 1
    assert by_id["exact-of-5"]["dup_kind"] == "exact" or by_id["p5"]["dup_kind"] == "exact"
    assert by_id["exact-of-5"]["dup_cluster"] == by_id["p5"]["dup_cluster"]
    unique = [r for r in by_id.values() if r["dup_size"] == 1]
    assert len(unique) == len(rows) - 4
    assert all(r["dup_keep"] and r["dup_cluster"] == r["id"] and r["dup_kind"] is None for r in unique)
    summary = version.manifest["summary"]
    assert summary["exact_duplicates"] == 1 and summary["near_duplicates"] == 1 and summary["clusters"] == 2
    assert "near duplicates: 1" in result.stderr


def test_cross_source_duplicates_between_passages_and_exam_items(tmp_path, real_store):
    exams = real_store.resolve("exams").read("exam_items")
    item = exams.filter(pc.equal(exams["exam"], "medqa")).slice(0, 1).to_pylist()[0]
    copied = item["question"] + " " + " ".join(o["text"] for o in item["options"])
    store = VersionStore(str(tmp_path))
    leaked = _external(tmp_path, [{"id": "forum:1", "text": copied, "source": "forum"},
                                  {"id": "forum:2", "text": "An unrelated note about hand hygiene in wards.",
                                   "source": "forum"}])
    from medcurate.pipeline.resolve import resolve_inputs
    inputs = resolve_inputs(store, Dedup, [leaked])
    version = _run(store, {}, *inputs.tables, TableInput(real_store.resolve("exams"), "exam_items"))
    forum = {r["id"]: r for r in version.read(version.manifest["kind"]).to_pylist()}
    assert forum["forum:1"]["dup_cluster"] == item["id"] or forum["forum:1"]["dup_keep"]
    assert forum["forum:1"]["dup_size"] >= 2 and forum["forum:2"]["dup_size"] == 1
    assert version.manifest["summary"]["cross_source_clusters"] >= 1


def test_small_shards_and_partitions_give_the_same_clusters(tmp_path, real_store):
    passages = TableInput(real_store.resolve("pmc"), "passages")
    whole = _run(VersionStore(str(tmp_path / "a")), {}, passages)
    split = _run(VersionStore(str(tmp_path / "b")), {"shard_rows": 500, "group_rows": 1000,
                                                      "spill_dir": str(tmp_path)}, passages)
    columns = ["id", "dup_cluster", "dup_keep", "dup_size", "dup_kind"]
    assert whole.read("passages").select(columns).equals(split.read("passages").select(columns))
    assert whole.manifest["summary"]["duplicate_rows_tagged"] > 0       # real boilerplate repeats exist


def test_custom_text_column_and_bad_config(tmp_path):
    path = _external(tmp_path, [{"id": "a", "body": "Metformin lowers hepatic glucose output in type 2 diabetes."},
                                {"id": "b", "body": "metformin lowers hepatic glucose output in type 2 diabetes"}])
    store = tmp_path / "s"
    config = tmp_path / "dedup.yaml"
    config.write_text("text_columns: [body]\n")
    ok = CliRunner().invoke(app, ["stage", "dedup", "--input", path, "--config", str(config), "--store", str(store)])
    assert ok.exit_code == 0, ok.output
    missing = CliRunner().invoke(app, ["stage", "dedup", "--input", path, "--store", str(store)])
    assert missing.exit_code != 0 and "no text column" in missing.output
    config.write_text("keep: [cheapest]\n")
    bad = CliRunner().invoke(app, ["stage", "dedup", "--input", path, "--config", str(config), "--store", str(store)])
    assert bad.exit_code != 0 and "unknown keep policies" in bad.output
