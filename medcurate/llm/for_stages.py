"""How a stage gets an LLM: from the `llm` dict of its config, with the store's response cache, so a
rerun or a resumed run of the stage pays nothing for what was already generated.

    with stage_client(self.config.llm, out.store) as client:
        results = client.run(requests)
"""
from collections.abc import Iterator
from contextlib import contextmanager

from medcurate.llm.cache import ResponseCache
from medcurate.llm.client import LLMClient
from medcurate.llm.engine import make_engine
from medcurate.store import VersionStore

DEFAULT_LLM = {"engine": "embedded"}     # the bundled local model: runs anywhere, offline


def default_llm() -> dict:
    return dict(DEFAULT_LLM)


@contextmanager
def stage_client(llm: dict | None, store: VersionStore, max_attempts: int = 3) -> Iterator[LLMClient]:
    engine = make_engine(llm or DEFAULT_LLM)
    try:
        yield LLMClient(engine, cache=ResponseCache(store), max_attempts=max_attempts)
    finally:
        engine.close()
