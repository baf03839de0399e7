"""What the LLM layer costs on top of the raw engine, what a cached rerun costs, and how the HTTP engine
scales with requests in flight.

    .venv/bin/python benchmarks/llm.py [--requests N] [--max-tokens T] [--model smollm2|gemma3-270m]

Same prompts (the `check` template over N medical yes/no questions, JSON schema on) in every row:
  * embedded raw: `EmbeddedEngine.complete` on all requests at once;
  * embedded via LLMClient: the same through the client (cache lookup and writes in a fresh store,
    schema validation, retries), the same engine; raw and client runs alternate twice, best of two each;
  * cached rerun: the client again on the same store, so every request is a cache hit;
  * http at 1 / 4 / 16 in flight: `HTTPEngine` through LLMClient (no cache) against llama.cpp's server
    (`python -m medcurate.llm.serve --parallel 16`) in a subprocess, same model.
A warm-up pass runs first, so llama.cpp's prompt cache is equally warm for every timed row.
"""
import argparse
import socket
import subprocess
import sys
import tempfile
import time

from medcurate.llm import LLMClient, ResponseCache, Sampling, load_template, make_engine
from medcurate.store import VersionStore

DRUGS = ["aspirin", "ibuprofen", "metformin", "insulin", "warfarin", "amoxicillin", "omeprazole", "atorvastatin",
         "lisinopril", "prednisone", "morphine", "heparin", "digoxin", "furosemide", "naproxen", "diclofenac"]


def build(n: int, max_tokens: int):
    check = load_template("check")
    return [check.request(f"q{i}", question=f"Is {DRUGS[i % len(DRUGS)]} a nonsteroidal anti-inflammatory drug "
                          f"(question {i})?", sampling=Sampling(max_tokens=max_tokens)) for i in range(n)]


def timed(fn) -> tuple[list, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def row(label: str, seconds: float, n: int, tokens: int, note: str = "") -> str:
    return (f"{label:<34}{seconds:>8.2f} s{n / seconds:>9.2f} req/s{tokens / seconds:>10.1f} tok/s  {note}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--model", default="smollm2")
    args = parser.parse_args()
    requests, lines = build(args.requests, args.max_tokens), []

    engine = make_engine({"engine": "embedded", "model": args.model, "parallel": 4, "context_length": 512})
    engine.complete(requests)                                                # warm-up
    raw, layer = [], []
    for _ in range(2):
        completions, seconds = timed(lambda: engine.complete(requests))
        raw.append((seconds, sum(c.completion_tokens for c in completions)))
        store = VersionStore(tempfile.mkdtemp(prefix="llm-bench-"))
        client = LLMClient(engine, ResponseCache(store))
        results, seconds = timed(lambda: client.run(requests, progress=False))
        layer.append((seconds, sum(r.completion_tokens for r in results), client.stats))
    raw_s, raw_tok = min(raw)
    layer_s, layer_tok, stats = min(layer, key=lambda x: x[0])
    rerun = LLMClient(engine, ResponseCache(store))
    _, cached_s = timed(lambda: rerun.run(requests, progress=False))
    engine.close()
    lines += [row("embedded raw engine", raw_s, len(requests), raw_tok),
              row("embedded via LLMClient", layer_s, len(requests), layer_tok,
                  f"{stats.retries} retries, {stats.failures} failures"),
              f"{'cached rerun':<34}{cached_s:>8.3f} s   hit rate {rerun.stats.hit_rate:.0%}, "
              f"{rerun.stats.engine_requests} engine requests",
              f"{'layer / raw (tokens/s)':<34}{(layer_tok / layer_s) / (raw_tok / raw_s):>8.2f}x   "
              f"(requests/s {raw_s / layer_s:.2f}x; target >= 0.9)"]

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "medcurate.llm.serve", "--model", args.model, "--port",
                               str(port), "--parallel", "16", "--context-length", "512"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        server.stdout.readline()
        for in_flight in (1, 4, 16):
            http = make_engine({"engine": "http", "base_url": f"http://127.0.0.1:{port}", "max_in_flight": in_flight})
            http.complete(requests[:in_flight])                                  # warm-up
            client = LLMClient(http, batch_size=len(requests))
            results, seconds = timed(lambda: client.run(requests, progress=False))
            lines.append(row(f"http, {in_flight:>2} in flight", seconds, len(requests),
                             sum(r.completion_tokens for r in results)))
            http.close()
    finally:
        server.kill()
    print(f"{len(requests)} structured requests, max_tokens {args.max_tokens}, model {args.model}, "
          f"embedded engine with 4 slots\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
