"""The LLM layer that labelling, QA generation and the grounding judge share.

    engine = make_engine({"engine": "embedded"})           # or "http" (base_url=...), or "vllm" (model=...)
    client = LLMClient(engine, cache=ResponseCache(store))
    results = client.run([load_template("check").request("q1", question="...")])

Stages build `LLMRequest`s and read `LLMResult`s; they never see which engine ran.
"""
from medcurate.llm.cache import ResponseCache
from medcurate.llm.client import LLMClient
from medcurate.llm.engine import Engine, EngineUnavailable, make_engine
from medcurate.llm.prompts import load_template
from medcurate.llm.types import Completion, LLMRequest, LLMResult, Sampling

__all__ = ["Completion", "Engine", "EngineUnavailable", "LLMClient", "LLMRequest", "LLMResult", "ResponseCache",
           "Sampling", "load_template", "make_engine"]
