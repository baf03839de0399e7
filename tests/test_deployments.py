"""`prefect deploy --all` against a real `prefect server start`, and a deployment run triggered through
the API completes on a process worker of the `medcurate` pool."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PREFECT = str(Path(sys.executable).parent / "prefect")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    process = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{env['PREFECT_API_URL']}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(1)
    else:
        process.kill()
        pytest.fail("prefect server did not answer /api/health within 120 s")
    yield env
    process.terminate()
    process.wait(timeout=30)


def prefect(env: dict, *args: str) -> str:
    done = subprocess.run([PREFECT, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_deploy_all_and_run_a_deployment_on_a_process_worker(server, tmp_path):
    prefect(server, "work-pool", "create", "medcurate", "--type", "process")
    prefect(server, "--no-prompt", "deploy", "--all")
    listed = httpx.post(f"{server['PREFECT_API_URL']}/deployments/filter", json={}, timeout=10).json()
    wanted = {d["name"] for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}
    assert wanted <= {d["name"] for d in listed}
    assert all(d["schedules"] for d in listed if d["name"] in wanted)
    worker = subprocess.Popen([PREFECT, "worker", "start", "--pool", "medcurate", "--limit", "1"], env=server,
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        store = tmp_path / "store"
        started = prefect(server, "deployment", "run", "ingest/ingest-samples", "--param", f"store={store}")
        run_id = re.search(r"UUID:\s*([0-9a-f-]{36})", started).group(1)
        state = None
        deadline = time.time() + 240
        while time.time() < deadline:
            state = httpx.get(f"{server['PREFECT_API_URL']}/flow_runs/{run_id}", timeout=10).json()["state"]["type"]
            if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                break
            time.sleep(2)
        assert state == "COMPLETED"
        assert {p.name.split("-")[0] for p in (store / "versions").iterdir()} == {"ingest_pmc", "ingest_exams",
                                                                                 "ingest_notes"}
    finally:
        worker.terminate()
        worker.wait(timeout=30)
