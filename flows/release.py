"""What a pipeline run hands over at the end (the pipeline's `release:` settings): a dataset card in each
released version once the PHI audit finds nothing in it, and a review sample of the scored QA pairs as Label
Studio tasks (pushed to a server when LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY are set)."""
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

REVIEW_PROJECT = "medcurate QA review"


class ReleaseBlocked(RunFailed):
    """The PHI audit found something in a version about to be released."""


def release(store: str | None, results: dict[str, str], settings: dict) -> dict:
    """results: step name -> version id; settings: `steps` released, `review` step, `review_size`, `known`
    (a roster for the audit). Returns where the cards, the audit and the review tasks went."""
    st = VersionStore(store)
    released = {step: results[step] for step in settings.get("steps", []) if step in results}
    handed = {"cards": {step: write_card(st, vid) for step, vid in released.items()}}
    known = settings.get("known")
    report = audit(st, [st.get(vid) for vid in released.values()], Roster.from_file(known) if known else None,
                   caches=False)
    handed["audit"] = report.summary()
    if report.phi:
        places = "; ".join(f"{f.category} at {f.where}" for f in report.phi[:5])
        raise ReleaseBlocked(f"release blocked: the PHI audit found {len(report.phi)} finding(s) in the released "
                             f"versions ({places}); run `medcurate audit phi` on them for the full list")
    reviewed = settings.get("review")
    if reviewed in results:
        export = build_export(st, f"{results[reviewed]}:qa_pairs", "qa", settings.get("review_size", 50))
        path = Path(st.root) / "review" / f"{results[reviewed]}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(export.tasks, indent=1))
        handed["review_tasks"] = str(path)
        url, token = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
        if url and token and export.tasks:
            pushed = push(url, token, REVIEW_PROJECT, load_config("qa"), export.tasks)
            handed["pushed"] = {"project": pushed.project_id, "created": pushed.created, "skipped": pushed.skipped}
    return handed
