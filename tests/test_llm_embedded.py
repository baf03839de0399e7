"""The embedded engine (llama.cpp on the SmolLM2 GGUF shipped in a PyPI package) through LLMClient:
schema-valid JSON, the response cache, real truncated / malformed / empty outputs, over-long prompts."""
import jsonschema
import pytest

from medcurate.llm import LLMClient, ResponseCache, Sampling, load_template, make_engine
from medcurate.store import VersionStore

QUESTIONS = ["Is aspirin an NSAID?", "Is insulin made in the pancreas?", "Is the femur a bone of the arm?"]


@pytest.fixture(scope="module")
def engine():
    engine = make_engine({"engine": "embedded", "context_length": 512, "parallel": 4})
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def check():
    return load_template("check")


def requests(check, n=2, **sampling):
    return [check.request(f"q{i}", question=q, sampling=Sampling(**{"max_tokens": 48, **sampling}))
            for i, q in enumerate(QUESTIONS[:n])]


def test_identity_names_the_weights(engine):
    assert engine.identity["engine"] == "embedded"
    assert engine.identity["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert len(engine.identity["sha256"]) == 64
    assert engine.context_length == 512 and engine.supports_schema


def test_schema_valid_json_for_chat_and_completion_prompts(engine, check):
    chat = requests(check, 2)
    plain = [check.request("plain", chat=False, question=QUESTIONS[0], sampling=Sampling(max_tokens=64))]
    results = LLMClient(engine).run(chat + plain, progress=False)
    for result in results:
        assert result.ok, (result.error, result.text)
        jsonschema.validate(result.parsed, check.schema)
        assert result.template == "check@1" and result.completion_tokens > 0 and result.latency_s > 0
        assert not result.cached and not result.truncated


def test_rerun_is_served_from_the_cache_in_the_store(engine, check, tmp_path):
    store = VersionStore(str(tmp_path / "store"))
    first = LLMClient(engine, ResponseCache(store))
    done = first.run(requests(check, 3), progress=False)
    assert first.stats.engine_requests >= 3 and first.stats.hit_rate == 0
    assert list((tmp_path / "store" / "cache" / "llm").glob("*.arrow"))

    again = LLMClient(engine, ResponseCache(VersionStore(str(tmp_path / "store"))))   # a new process would do this
    cached = again.run(requests(check, 3), progress=False)
    assert again.stats.engine_requests == 0 and again.stats.hit_rate == 1.0
    assert all(r.cached for r in cached)
    assert [(r.key, r.parsed, r.text) for r in cached] == [(r.key, r.parsed, r.text) for r in done]

    changed = LLMClient(engine, ResponseCache(store)).run(requests(check, 1, seed=7), progress=False)
    assert not changed[0].cached        # other sampling settings: another key


def test_output_cut_at_max_tokens_is_retried_then_recorded(engine, check, tmp_path):
    cache = ResponseCache(VersionStore(str(tmp_path)))
    client = LLMClient(engine, cache, max_attempts=2)
    [result] = client.run(requests(check, 1, max_tokens=4), progress=False)
    assert not result.ok and "cut at max_tokens" in result.error
    assert result.attempts == 2 and result.finish_reason == "length" and result.text   # raw text kept
    assert result.parsed is None and client.stats.retries == 1 and client.stats.failures == 1
    assert len(cache) == 0                # failures are never cached


def test_malformed_and_empty_outputs_are_retried_then_recorded(engine, check):
    # stop strings make a real model produce them: "}" cuts the object before it closes, "{" (and the code fence llama.cpp allows) before it opens
    client = LLMClient(engine, max_attempts=3)
    malformed, empty = client.run(requests(check, 1, stop=("}",)) + requests(check, 1, stop=("{", "`")),
                                  progress=False)
    assert malformed.error.startswith("invalid JSON") and malformed.text.lstrip().startswith("{")
    assert malformed.attempts == 3
    assert empty.error == "empty output", empty
    assert empty.text == "" and empty.attempts == 3


def test_over_long_prompt_is_cut_in_the_middle_and_flagged(engine, check):
    filler = "The patient was seen again in clinic and was stable. " * 300
    request = check.request("long", question=f"Is aspirin an NSAID? {filler} Is it an NSAID?",
                            sampling=Sampling(max_tokens=360))    # leaves ~130 tokens for the prompt
    client = LLMClient(engine, max_attempts=1)
    [result] = client.run([request], progress=False)
    assert result.truncated and client.stats.truncated == 1
    assert result.error is None or "context" not in result.error
    assert 0 < result.prompt_tokens <= engine.context_length - 360

    impossible = check.request("x", question="Is aspirin an NSAID?", sampling=Sampling(max_tokens=600))
    [result] = client.run([impossible], progress=False)
    assert "does not fit" in result.error and result.attempts == 0
