"""What a pipeline run hands over at the end: a dataset card in each released version, and a review
sample of the scored QA pairs as Label Studio tasks (pushed to a server when LABEL_STUDIO_URL and
LABEL_STUDIO_API_KEY are set)."""
import json
import os
from pathlib import Path

from medcurate.annotation.configs import load_config
from medcurate.annotation.export import build_export
from medcurate.annotation.server import push
from medcurate.audit import Roster, audit
from medcurate.card.write import write_card
from medcurate.errors import RunFailed
from medcurate.store import VersionStore

RELEASED = ("released_qa", "classified")      # steps whose versions are datasets people train on
REVIEWED = "grounding"                        # the scored pairs, before thresholds: reviewers see the doubtful ones
REVIEW_PROJECT = "medcurate QA review"


class ReleaseBlocked(RunFailed):
    """The PHI audit found something in a version about to be released."""


def release(store: str | None, results: dict[str, str], review_size: int = 50, known: str | None = None) -> dict:
    """results: step name -> version id. Returns where the cards and the review tasks went. Every released
    version (with its card) is audited for PHI first; a finding blocks the release."""
    st = VersionStore(store)
    handed = {"cards": {step: write_card(st, results[step]) for step in RELEASED if step in results}}
    released = [st.get(results[step]) for step in RELEASED if step in results]
    report = audit(st, released, Roster.from_file(known) if known else None, caches=False)
    handed["audit"] = report.summary()
    if report.phi:
        places = "; ".join(f"{f.category} at {f.where}" for f in report.phi[:5])
        raise ReleaseBlocked(f"release blocked: the PHI audit found {len(report.phi)} finding(s) in the released "
                             f"versions ({places}); run `medcurate audit phi` on them for the full list")
    if REVIEWED in results:
        export = build_export(st, f"{results[REVIEWED]}:qa_pairs", "qa", review_size)
        path = Path(st.root) / "review" / f"{results[REVIEWED]}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(export.tasks, indent=1))
        handed["review_tasks"] = str(path)
        url, token = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
        if url and token and export.tasks:
            pushed = push(url, token, REVIEW_PROJECT, load_config("qa"), export.tasks)
            handed["pushed"] = {"project": pushed.project_id, "created": pushed.created, "skipped": pushed.skipped}
    return handed
