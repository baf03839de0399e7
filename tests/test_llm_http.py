"""The HTTP engine against a real OpenAI-compatible server on 127.0.0.1 (llama.cpp's, from xllamacpp, run by
`python -m medcurate.llm.serve` in a subprocess), including a server killed in the middle of a batch."""
import json
import socket
import subprocess
import sys
import threading
import time

import jsonschema
import pytest
from typer.testing import CliRunner

from medcurate.cli import app
from medcurate.llm import EngineUnavailable, LLMClient, ResponseCache, Sampling, load_template, make_engine
from medcurate.store import VersionStore


class Server:
    """llama.cpp's server with the packaged SmolLM2, in its own process, so a test can kill it."""

    def __init__(self, port: int | None = None, parallel: int = 4):
        self.port, self.parallel, self.proc = port or free_port(), parallel, None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.proc = subprocess.Popen([sys.executable, "-m", "medcurate.llm.serve", "--port", str(self.port),
                                      "--parallel", str(self.parallel), "--context-length", "512"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout.readline().strip() == self.url     # printed once the model is loaded
        return self

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    server = Server().start()
    yield server
    server.kill()


def check_requests(n: int, max_tokens: int = 40):
    check = load_template("check")
    return [check.request(f"q{i}", question=f"Is drug number {i} an anti-inflammatory drug?",
                          sampling=Sampling(max_tokens=max_tokens)) for i in range(n)]


def test_structured_output_from_a_real_server(server):
    engine = make_engine({"engine": "http", "base_url": server.url + "/v1", "max_in_flight": 4})
    assert engine.identity["model"].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert engine.context_length == 512 and engine.count_tokens("hello world") == 2
    results = LLMClient(engine).run(check_requests(4), progress=False)
    schema = load_template("check").schema
    for result in results:
        assert result.ok, (result.error, result.text)
        jsonschema.validate(result.parsed, schema)
        assert result.latency_s > 0 and result.completion_tokens > 0
    engine.close()


def test_llm_check_command_against_the_server(server):
    out = CliRunner().invoke(app, ["llm", "check", "--engine", "http", "--base-url", server.url, "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["tokens_per_s"] > 0 and report["identity"]["engine"] == "http"


def run_and_kill(tmp_path, restart_after: float | None, retries: int):
    """Run 4 requests, two to an engine call, and kill the server as soon as the first results reach the
    cache (the client writes them after each call); maybe start it again."""
    server = Server(parallel=2).start()
    store = VersionStore(str(tmp_path))
    engine = make_engine({"engine": "http", "base_url": server.url, "max_in_flight": 2, "retries": retries,
                          "backoff": 0.2, "backoff_max": 1.0})
    client = LLMClient(engine, ResponseCache(store, flush_every=1), batch_size=2)

    def killer():
        while not list((tmp_path / "cache" / "llm").glob("*.arrow")):
            time.sleep(0.05)
        server.kill()
        if restart_after is not None:
            time.sleep(restart_after)
            server.start()

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        return store, engine, server, client.run(check_requests(4, max_tokens=32), progress=False)
    except EngineUnavailable as exc:
        return store, engine, server, exc
    finally:
        thread.join()


def test_server_killed_mid_batch_comes_back_and_the_run_resumes(tmp_path):
    store, engine, server, results = run_and_kill(tmp_path, restart_after=0.5, retries=12)
    try:
        assert not isinstance(results, Exception), results
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        assert len(ResponseCache(store)) == 4
    finally:
        engine.close()
        server.kill()


def test_server_killed_for_good_fails_clearly_and_keeps_what_was_done(tmp_path):
    store, engine, server, outcome = run_and_kill(tmp_path, restart_after=None, retries=2)
    assert isinstance(outcome, EngineUnavailable) and "unavailable after 3 attempts" in str(outcome)
    assert len(ResponseCache(store)) == 2       # the first engine call's results, written before the kill
    engine.close()
