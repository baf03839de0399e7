"""`medcurate llm check`: load the configured engine and run one structured request."""
import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from medcurate.cli.app import sub_app
from medcurate.cli.common import JsonOpt, fail, load_settings
from medcurate.console import console
from medcurate.llm import EngineUnavailable, LLMClient, load_template, make_engine
from medcurate.llm.types import Sampling

llm_app = sub_app("llm", "Check the configured LLM engine.", no_args_is_help=True)


@llm_app.command("check")
def llm_check(
    engine: Annotated[Optional[str], typer.Option(help="embedded (default), http or vllm.")] = None,
    model: Annotated[Optional[str], typer.Option(help="embedded: smollm2, gemma3-270m or a .gguf path; "
                                                     "http: the served model name; vllm: model folder.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="http: the server, e.g. http://127.0.0.1:8000.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML or JSON file with the engine "
                      "settings (engine, model, base_url, ...); the options above override it.")] = None,
    as_json: JsonOpt = False,
):
    """Load the engine, run one structured request, and print the model, latency and tokens/s."""
    settings = load_settings(config)
    settings |= {k: v for k, v in {"engine": engine, "model": model, "base_url": base_url}.items() if v}
    started = time.perf_counter()
    try:
        llm = make_engine(settings)
    except (ValueError, TypeError, ImportError, OSError) as exc:
        raise EngineUnavailable(f"cannot load the {settings.get('engine', 'embedded')} engine: {exc}") from None
    loaded = time.perf_counter() - started
    request = load_template("check").request("check", question="Is aspirin a nonsteroidal anti-inflammatory drug?",
                                             sampling=Sampling(max_tokens=96))
    try:
        client = LLMClient(llm)
        cold, result = (client.run([request], progress=False)[0] for _ in range(2))   # first call warms up
    finally:
        llm.close()
    speed = result.completion_tokens / result.latency_s if result.latency_s else 0.0
    report = {"identity": llm.identity, "load_s": round(loaded, 2), "first_latency_s": round(cold.latency_s, 3),
              "latency_s": round(result.latency_s, 3), "prompt_tokens": result.prompt_tokens,
              "completion_tokens": result.completion_tokens, "tokens_per_s": round(speed, 1),
              "attempts": result.attempts, "parsed": result.parsed, "error": result.error, "text": result.text}
    console.print(f"model    {json.dumps(llm.identity)}\n"
                  f"loaded   {loaded:.2f} s, first request {cold.latency_s:.2f} s\n"
                  f"request  {result.latency_s:.2f} s, {result.prompt_tokens} prompt + {result.completion_tokens} "
                  f"completion tokens, {speed:.1f} tokens/s, {result.attempts} attempt(s)")
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    if not result.ok:
        fail(f"{result.error}; raw output: {result.text!r}")
    console.print(f"answer   {json.dumps(result.parsed)}")


