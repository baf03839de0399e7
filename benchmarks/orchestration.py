"""Prefect's overhead: the `curate` flow against the same steps called directly, on the same data.

Both run the whole DAG of flows/pipeline.py into fresh stores (QA generation gets no passages, so the
LLM's time does not drown the comparison); the flow uses a temporary Prefect server, as `medcurate run`
does without PREFECT_API_URL. Printed: seconds for each, interleaved runs, and the ratio.
Usage: python benchmarks/orchestration.py [--data ../shared/data] [--runs 2]
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
from medcurate.flows.curate import curate_flow  # noqa: E402
from medcurate.pipeline.check import check  # noqa: E402
from medcurate.pipeline.dag import run_direct, run_pipeline  # noqa: E402
from medcurate.pipeline.spec import build, read_file  # noqa: E402
from medcurate.store import VersionStore  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def config(data: Path | None) -> dict:
    settings = read_file(REPO / "medcurate" / "samples" / "pipeline.yaml")
    if data:
        settings["sources"] = {"pmc": [str(data / "pmc_jats")], "exams": [str(data / "exam_mcq")]}
    settings["stages"]["qa_passages"] = {"limit": 0}
    return settings


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=None, help="e.g. ../shared/data (PMC + exams); default: samples")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    settings = config(args.data)
    curate_flow(settings, tempfile.mkdtemp())          # start the temporary server once, outside the timing
    direct, flow = [], []
    for _ in range(args.runs):
        store = tempfile.mkdtemp()
        checked = check(build(settings))
        direct.append(timed(lambda: run_pipeline(checked, lambda step, refs: run_direct(store, step, refs),
                                                 VersionStore(store))))
        store = tempfile.mkdtemp()
        flow.append(timed(lambda: curate_flow(settings, store)))
    print(f"{'':24} {'seconds (each run)':>24} {'best':>8}")
    print(f"{'steps called directly':24} {' '.join(f'{s:7.1f}' for s in direct):>24} {min(direct):8.1f}")
    print(f"{'curate flow (Prefect)':24} {' '.join(f'{s:7.1f}' for s in flow):>24} {min(flow):8.1f}")
    print(f"flow / direct: {min(flow) / min(direct):.2f}x  (+{min(flow) - min(direct):.1f}s of orchestration)")


if __name__ == "__main__":
    main()
