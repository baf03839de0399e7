"""Dataset cards on a real lineage: the bundled samples ingested, passages deduplicated, then labelled
from metadata; the card's YAML, numbers and PNGs are checked against the manifests."""
from pathlib import Path

import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from medcurate.card import write_card
from medcurate.card.stats import value_counts
from medcurate.cli import app
from medcurate.store import VersionStore

SAMPLES = Path(__file__).resolve().parent.parent / "medcurate" / "samples"
runner = CliRunner()


def cli(*args: str, store: Path) -> str:
    result = runner.invoke(app, [*args, "--store", str(store)])
    assert result.exit_code == 0, result.output + str(result.exception)
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def lineage(tmp_path_factory):
    store = tmp_path_factory.mktemp("card-store")
    cli("ingest", "pmc", str(SAMPLES / "pmc"), "--tag", "pmc", store=store)
    cli("stage", "dedup", "--input", "pmc:passages", "--tag", "dedup", store=store)
    return VersionStore(str(store))


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_card_of_a_deduplicated_version(lineage):
    dedup, ingest = lineage.resolve("dedup"), lineage.resolve("pmc")
    readme = Path(cli("card", "dedup", store=Path(lineage.root)))
    assert readme == Path(dedup.path()) / "README.md"
    text = readme.read_text()
    meta = front_matter(text)
    assert meta["configs"] == [{"config_name": "passages", "default": True,
                                "data_files": [{"split": "train", "path": "passages/data-*.arrow"}]}]
    assert meta["size_categories"] == ["n<1K"] and meta["language"] == ["en"]
    assert set(meta["license"]) <= {"cc-by-4.0", "cc-by-nc-4.0", "cc0-1.0", "unknown", "other"}
    assert "cc-by-4.0" in meta["license"]
    rows = dedup.tables["passages"]["rows"]
    assert f"| passages | passages | {rows:,} |" in text
    groups = value_counts(dedup, "passages", "license_group")
    assert f"| passages | {groups['commercial']:,} | {groups['non-commercial']:,} | {groups.get('other', 0):,} |" in text
    for version in (ingest, dedup):                            # the funnel walks the lineage back to ingest
        f = version.manifest["funnel"]
        assert (f"| {version.manifest['stage']} | `{version.id}` | {f['in']:,} | {f['kept']:,} | "
                f"{f['quarantined']:,} |") in text
    assert text.index(ingest.id) < text.index(f"`{dedup.id}` |")
    assert f"{rows:,} clusters" in text and "pmc/PMC9000001.nxml@" in text
    for png in ("funnel.png", "dup_sizes_passages.png"):
        assert f"]({png})" in text
        with Image.open(readme.parent / png) as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] > 300
    assert dedup.verify() == {}                                 # the card does not touch the version's shards


def test_label_plots_only_where_labels_exist(lineage, tmp_path):
    config = tmp_path / "annotate.yaml"
    config.write_text("teacher: metadata\nsample_size: null\n")
    vid = cli("stage", "annotate", "--input", "dedup:passages", "--input", "pmc:documents", "--config",
              str(config), store=Path(lineage.root))
    out = tmp_path / "card"
    readme = Path(write_card(lineage, vid, str(out)))
    text = readme.read_text()
    labels = value_counts(lineage.get(vid), "labels", "domain")
    assert "`labels.domain`: " + ", ".join(f"{k} {n}" for k, n in sorted(labels.items())) in text
    assert front_matter(text)["configs"][0]["config_name"] == "labels"       # empty `failures` left out
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["domain_labels.png", "funnel.png"]       # metadata labels: no edu_score, no discipline
    with Image.open(out / "domain_labels.png") as image:
        image.verify()
    assert "## Duplicate clusters" not in text and "## Grounding" not in text
