"""Bad and hostile input: quarantined with a reason, the run goes on, nothing escapes the store."""
import gzip
import io
import tarfile

import pytest

from medcurate.inputs import list_files
from medcurate.runner import run_stage
from medcurate.stage import StageInputs
from medcurate.stages.ingest_exams import IngestExams
from medcurate.stages.ingest_pmc import IngestPMC
from medcurate.store import VersionStore

ARTICLE = b"""<?xml version="1.0"?>
<article article-type="research-article"><front><article-meta>
<article-id pub-id-type="pmc">PMC%d</article-id>
<title-group><article-title>Ferritin thresholds</article-title></title-group></article-meta></front>
<body><sec><title>Results</title><p>Ferritin below 30 ug/L was specific for iron deficiency.</p></sec></body></article>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<article><front><article-meta><article-id pub-id-type="pmc">PMC1</article-id>
<title-group><article-title>&lol3;</article-title></title-group></article-meta></front></article>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<article><front><article-meta><article-id pub-id-type="pmc">PMC2</article-id>
<title-group><article-title>&xxe;</article-title></title-group></article-meta></front></article>"""


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def hostile_inputs(tmp_path):
    src = tmp_path / "inputs"
    src.mkdir()
    (src / "good.nxml").write_bytes(ARTICLE % 101)
    (src / "lolz.xml").write_bytes(BILLION_LAUGHS)
    (src / "xxe.xml").write_bytes(XXE)
    (src / "malformed.xml").write_bytes(b"<article><front><article-meta>")
    (src / "empty.nxml").write_bytes(b"")
    (src / "package.tar.gz").write_bytes(_tar({
        "PMC102/PMC102.nxml": ARTICLE % 102,
        "../../escape.nxml": ARTICLE % 103,
        "/etc/absolute.nxml": ARTICLE % 104,
        "PMC105/figure.jpg": b"\xff\xd8\xff not xml",
    }))
    whole = _tar({f"PMC{n}/PMC{n}.nxml": ARTICLE % n for n in (106, 107, 108)})
    (src / "truncated.tar.gz").write_bytes(whole[: len(whole) * 2 // 3])
    (src / "cut.xml.gz").write_bytes(gzip.compress(ARTICLE % 109)[:40])
    return src


def test_hostile_and_broken_inputs_are_quarantined_and_the_run_goes_on(tmp_path, hostile_inputs):
    store = VersionStore(str(tmp_path / "store"))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    v = run_stage(store, IngestPMC(), StageInputs(files=list_files([str(hostile_inputs)]))).version
    ids = sorted(v.read("documents").column("id").to_pylist())
    assert "pmc:PMC101" in ids and "pmc:PMC102" in ids
    assert "pmc:PMC103" not in ids and "pmc:PMC104" not in ids
    reasons = {(r["file"].rsplit("/", 1)[-1], r["member"]): r["reason"] for r in v.read("quarantine").to_pylist()}
    assert "entit" in reasons[("lolz.xml", None)].lower()
    assert "entit" in reasons[("xxe.xml", None)].lower()
    assert "lol" not in "".join(v.read("documents").column("title").to_pylist())
    assert reasons[("malformed.xml", None)]
    assert reasons[("empty.nxml", None)] == "empty file"
    assert "unsafe tar member" in reasons[("package.tar.gz", "../../escape.nxml")]
    assert "unsafe tar member" in reasons[("package.tar.gz", "/etc/absolute.nxml")]
    assert "truncated or corrupt archive" in next(r for (f, _), r in reasons.items() if f == "truncated.tar.gz")
    assert "gzip" in reasons[("cut.xml.gz", None)]
    f = v.manifest["funnel"]
    assert f["in"] == f["kept"] + f["quarantined"] and f["skipped_inputs"] == {"not an article XML (.jpg)": 1}
    after = sorted(p.name for p in tmp_path.rglob("*") if "store" not in p.parts)
    assert [n for n in after if n not in before] == []           # nothing written outside the store
    assert not (tmp_path / "escape.nxml").exists()


def test_a_bad_json_line_is_quarantined_with_its_line_number(tmp_path):
    bank = tmp_path / "bank.jsonl"
    good = '{"question": "Which vitamin deficiency causes scurvy?", "options": {"A": "A", "B": "C"}, "answer_idx": "B", "answer": "C"}'
    bank.write_text(f"{good}\n{{not json\n{good.replace('scurvy', 'pellagra')}\n")
    v = run_stage(VersionStore(str(tmp_path / "store")), IngestExams(), StageInputs(files=[str(bank)])).version
    assert v.tables["exam_items"]["rows"] == 2
    (q,) = v.read("quarantine").to_pylist()
    assert q["row"] == 1 and "2" in q["reason"]
