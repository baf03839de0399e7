"""Protocol faults and bad model outputs, from a small scripted OpenAI-compatible server (http.server in a
thread) driving the real HTTP engine and client: 429 / 5xx / malformed bodies are retried by the engine;
refusals, empty, truncated and invalid JSON are retried by the client and then recorded with the raw text."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from medcurate.llm import EngineUnavailable, LLMClient, LLMRequest, ResponseCache, Sampling, make_engine
from medcurate.llm.cache import cache_key
from medcurate.llm.prompts import load_template
from medcurate.store import VersionStore

SCHEMA = {"type": "object", "properties": {"answer": {"enum": ["yes", "no"]}}, "required": ["answer"]}
VALID = '{"answer": "yes"}'


def chat(content=None, finish="stop", refusal=None):
    return 200, {"choices": [{"message": {"role": "assistant", "content": content, "refusal": refusal},
                              "finish_reason": finish}], "usage": {"prompt_tokens": 5, "completion_tokens": 3}}


# what the server answers to a request whose user message is the script's name: one entry per call,
# the last one repeated
SCRIPTS = {
    "429 then ok": [(429, {"error": "slow down"}), chat(VALID)],
    "500, 503 then ok": [(500, {"error": "boom"}), (503, "unavailable"), chat(VALID)],
    "garbled then ok": [(200, "<html>proxy error"), chat(VALID)],
    "always garbled": [(200, '{"choices": []}')],
    "invalid then ok": [chat('{"answer": yes}'), chat(VALID)],
    "always invalid": [chat('{"answer": "maybe"}')],
    "cut at max_tokens": [chat('{"answer": "y', finish="length")],
    "empty": [chat("")],
    "refusal text": [chat("I'm sorry, but I can't help with that.")],
    "refusal field": [chat(None, refusal="This request violates the policy.")],
    "bad request": [(400, {"error": "unknown parameter"})],
}


class Scripted(BaseHTTPRequestHandler):
    calls: dict[str, list[dict]] = {}
    schema_rejected = False

    def do_GET(self):
        self.reply(200, {"data": [{"id": "scripted", "meta": {"n_ctx": 1024}}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        name = body["messages"][-1]["content"]
        seen = self.calls.setdefault(name, [])
        seen.append(body)
        if name == "no structured outputs" and "response_format" in body:
            return self.reply(400, {"error": "response_format is not supported"})
        script = SCRIPTS.get(name, [chat(VALID)])
        self.reply(*script[min(len(seen), len(script)) - 1])

    def reply(self, status, payload):
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def engine(server):
    Scripted.calls.clear()
    engine = make_engine({"engine": "http", "base_url": server, "retries": 2, "backoff": 0.01})
    yield engine
    engine.close()


def ask(name, schema=SCHEMA):
    return LLMRequest(name, messages=({"role": "user", "content": name},), schema=schema,
                      sampling=Sampling(max_tokens=16))


def run(engine, *names, **client):
    client = LLMClient(engine, max_attempts=3, **client)
    return {r.key: r for r in client.run([ask(n) for n in names], progress=False)}, client.stats


def test_transient_http_faults_are_retried_by_the_engine(engine):
    results, stats = run(engine, "429 then ok", "500, 503 then ok", "garbled then ok")
    for name, result in results.items():
        assert result.ok and result.parsed == {"answer": "yes"} and result.attempts == 1, name
    assert len(Scripted.calls["500, 503 then ok"]) == 3 and stats.engine_requests == 3


def test_a_body_that_never_parses_is_recorded_with_the_raw_body(engine):
    results, _ = run(engine, "always garbled")
    result = results["always garbled"]
    assert "malformed response body" in result.error and result.text == '{"choices": []}'
    assert len(Scripted.calls["always garbled"]) == 3           # the engine's budget: 1 + 2 retries


def test_invalid_output_is_retried_with_another_seed(engine):
    results, stats = run(engine, "invalid then ok")
    assert results["invalid then ok"].ok and results["invalid then ok"].attempts == 2
    first, second = Scripted.calls["invalid then ok"]
    assert second["seed"] != first["seed"] and second["temperature"] > first["temperature"] == 0
    assert stats.retries == 1 and first["response_format"]["json_schema"]["schema"] == SCHEMA


@pytest.mark.parametrize("name, error, text", [
    ("always invalid", "does not match the schema", '{"answer": "maybe"}'),
    ("cut at max_tokens", "invalid JSON (cut at max_tokens)", '{"answer": "y'),
    ("empty", "empty output", ""),
    ("refusal text", "refusal", "I'm sorry, but I can't help with that."),
    ("refusal field", "refusal", "This request violates the policy."),
])
def test_bad_outputs_are_retried_then_recorded_never_fabricated(engine, tmp_path, name, error, text):
    cache = ResponseCache(VersionStore(str(tmp_path)))
    results, stats = run(engine, name, cache=cache)
    result = results[name]
    assert result.error.startswith(error) and result.text == text and result.parsed is None
    assert result.attempts == 3 and len(Scripted.calls[name]) == 3 and stats.failures == 1
    assert len(cache) == 0


def test_rejected_request_is_not_retried(engine):
    [plain] = LLMClient(engine).run([ask("bad request", schema=None)], progress=False)
    assert plain.error.startswith("HTTP 400") and len(Scripted.calls["bad request"]) == 1
    [structured] = LLMClient(engine).run([ask("bad request")], progress=False)   # once more without the schema
    assert structured.error.startswith("HTTP 400") and len(Scripted.calls["bad request"]) == 3
    assert engine.supports_schema


def test_server_without_structured_outputs_falls_back_to_parse_and_validate(engine):
    results, _ = run(engine, "no structured outputs")
    assert results["no structured outputs"].parsed == {"answer": "yes"}
    assert [("response_format" in b) for b in Scripted.calls["no structured outputs"]] == [True, False]
    assert not engine.supports_schema


def test_no_server_at_all_is_engine_unavailable():
    with pytest.raises(EngineUnavailable, match="unavailable after 2 attempts"):
        make_engine({"engine": "http", "base_url": "http://127.0.0.1:9", "retries": 1, "backoff": 0.01})


def test_cache_key_covers_template_version_schema_and_sampling():
    check = load_template("check")
    assert check.id == "check@1" and load_template("check@1").id == "check@1"
    base = check.request("k", question="q")
    keys = {cache_key({"model": "a"}, r) for r in (
        base, LLMRequest("k", messages=base.messages, schema=base.schema, template="check@2"),
        LLMRequest("k", messages=base.messages, template="check@1"),
        LLMRequest("k", messages=base.messages, schema=base.schema, sampling=Sampling(seed=1), template="check@1"))}
    assert len(keys) == 4 and cache_key({"model": "b"}, base) not in keys
    assert cache_key({"model": "a"}, base) == cache_key({"model": "a"}, check.request("other key", question="q"))


def test_unknown_engine_and_missing_template_are_clear():
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine({"engine": "tgi"})
    with pytest.raises(FileNotFoundError, match="no prompt template"):
        load_template("check@9")
