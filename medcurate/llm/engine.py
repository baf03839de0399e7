"""The one interface every engine implements, and the factory that picks one from a config.

Stages never see which engine ran: they hand `LLMRequest`s to an `LLMClient`, which calls `complete`.
"""
from typing import Protocol, runtime_checkable

from medcurate.errors import RunFailed, UsageError
from medcurate.llm.types import Completion, LLMRequest

ENGINES = ("embedded", "http", "vllm")


class EngineUnavailable(RunFailed):
    """The engine cannot be reached after its retry budget. `partial` holds, in request order, the
    completions that finished before it gave up (None for the others), so callers can keep them."""

    def __init__(self, message: str, partial: list[Completion | None] | None = None):
        super().__init__(message)
        self.partial = partial or []


@runtime_checkable
class Engine(Protocol):
    identity: dict          # engine and model identity (file sha256 or server model id): part of every cache key
    supports_schema: bool   # constrains decoding to a request's JSON schema
    context_length: int     # tokens per request, prompt plus completion

    def complete(self, requests: list[LLMRequest]) -> list[Completion]:
        """One completion per request, in order. Per-request failures go into `Completion.error`;
        raises `EngineUnavailable` when the engine stays unreachable."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...


def make_engine(config: dict) -> Engine:
    """`config["engine"]` picks the engine; every other key is passed to its constructor."""
    kind, options = config.get("engine", "embedded"), {k: v for k, v in config.items() if k != "engine"}
    if kind == "embedded":
        from medcurate.llm.engines.embedded import EmbeddedEngine
        return EmbeddedEngine(**options)
    if kind == "http":
        from medcurate.llm.engines.http import HTTPEngine
        return HTTPEngine(**options)
    if kind == "vllm":
        from medcurate.llm.engines.vllm_offline import VLLMEngine
        return VLLMEngine(**options)
    raise UsageError(f"unknown engine {kind!r}; choose one of {', '.join(ENGINES)}")
