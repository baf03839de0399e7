"""Any OpenAI-compatible server: `vllm serve`, llama.cpp's server, TGI, hosted APIs.

Requests go out concurrently, at most `max_in_flight` at a time (the server batches what it holds).
Connection loss, timeouts, 429 and 5xx are retried with exponential backoff (honouring Retry-After);
when a request exhausts its budget the server counts as down: the others stop waiting, and
`EngineUnavailable` carries what did finish, so the caller can keep it. A 200 whose body is not a
completion is retried too, then reported on that request with the raw body.
"""
import math
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import httpx

from medcurate.llm.engine import EngineUnavailable
from medcurate.llm.engines import openai_api
from medcurate.llm.types import Completion, LLMRequest


class Rejected(Exception):
    """The server answered 4xx (other than 429): the request itself is wrong, retrying will not help."""

    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code}: {response.text[:500]}")


class Malformed(Exception):
    def __init__(self, message: str, raw: str):
        super().__init__(message)
        self.raw = raw


class HTTPEngine:
    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 max_in_flight: int = 8, timeout: float = 120.0, retries: int = 5, backoff: float = 0.5,
                 backoff_max: float = 8.0, json_schema: bool = True, context_length: int | None = None):
        self.base_url = base_url.rstrip("/").removesuffix("/v1")
        self.max_in_flight, self.retries, self.backoff, self.backoff_max = max_in_flight, retries, backoff, backoff_max
        key = api_key or os.environ.get("OPENAI_API_KEY")
        self._http = httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {key}"} if key else {},
                                  timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                  limits=httpx.Limits(max_connections=max_in_flight))
        served = self._send("GET", "/v1/models", parse=lambda r: r.json()["data"])
        info = next((m for m in served if m["id"] == model), served[0] if served else {})
        self.model = model or info["id"]
        # vLLM says max_model_len; llama.cpp says meta.n_ctx (per slot); hosted APIs say neither
        self.context_length = (context_length or info.get("max_model_len")
                               or (info.get("meta") or {}).get("n_ctx") or 4096)
        weights = info.get("root") or (info.get("meta") or {}).get("size")
        self.identity = {"engine": "http", "model": self.model, **({"weights": weights} if weights else {})}
        self.supports_schema = json_schema
        self._tokenize = True

    def complete(self, requests: list[LLMRequest]) -> list[Completion]:
        results: list[Completion | None] = [None] * len(requests)
        give_up, failure = threading.Event(), None
        with ThreadPoolExecutor(self.max_in_flight, thread_name_prefix="llm-http") as pool:
            futures = {pool.submit(self._one, r, give_up): i for i, r in enumerate(requests)}
            for future in as_completed(futures):
                try:
                    results[futures[future]] = future.result()
                except EngineUnavailable as exc:
                    failure = failure or exc
                    give_up.set()
        if failure:
            raise EngineUnavailable(str(failure), partial=results)
        return results

    def _one(self, request: LLMRequest, give_up: threading.Event) -> Completion:
        chat, started = request.messages is not None, time.perf_counter()
        body = openai_api.body(request, self.model, self.supports_schema)
        parse = lambda r: openai_api.parse(r.json(), chat)   # noqa: E731
        try:
            try:
                completion = self._send("POST", openai_api.path(request), body, parse, give_up)
            except Rejected:
                if "response_format" not in body:
                    raise
                # a server without structured outputs? ask plainly; if that works, the client parses and
                # validates from now on
                body = openai_api.body(request, self.model, schema=False)
                completion = self._send("POST", openai_api.path(request), body, parse, give_up)
                self.supports_schema = False
        except Rejected as exc:
            return Completion("", error=str(exc))
        except Malformed as exc:
            return Completion(exc.raw, error=str(exc))
        completion.latency_s = time.perf_counter() - started
        return completion

    def _send(self, method: str, path: str, body: dict | None = None, parse=None,
              give_up: threading.Event | None = None):
        """One call with the retry budget: returns `parse(response)`; raises Rejected on 4xx, Malformed when
        every answer was unparseable, EngineUnavailable when the server stayed unreachable."""
        give_up = give_up or threading.Event()
        delay, problem, malformed = self.backoff, "", None
        for attempt in range(self.retries + 1):
            if attempt:
                if give_up.wait(delay):
                    problem = f"gave up with the batch ({problem})"
                    break
                delay = min(delay * 2, self.backoff_max)
            try:
                response = self._http.request(method, path, json=body)
            except httpx.TransportError as exc:                 # refused, reset, timed out
                problem, malformed = f"{type(exc).__name__}: {exc}", None
                continue
            if response.status_code == 429 or response.status_code >= 500:
                problem, malformed = f"HTTP {response.status_code}: {response.text[:200]}", None
                delay = max(delay, _retry_after(response))
                continue
            if response.status_code >= 400:
                raise Rejected(response)
            try:
                return parse(response)
            except (ValueError, LookupError, TypeError) as exc:
                problem, malformed = f"malformed response body ({type(exc).__name__}: {exc})", response.text
        if malformed is not None:
            raise Malformed(f"{problem}, {self.retries + 1} times", malformed)
        raise EngineUnavailable(f"{self.base_url}{path} unavailable after {self.retries + 1} attempts: {problem}")

    def count_tokens(self, text: str) -> int:
        """The server's tokenizer (llama.cpp and vLLM serve /tokenize); an over-estimate where there is none."""
        if self._tokenize:
            try:
                answer = self._send("POST", "/tokenize", {"model": self.model, "content": text, "prompt": text},
                                    parse=lambda r: r.json()["tokens"])
                return len(answer)
            except (Rejected, Malformed):
                self._tokenize = False
        return math.ceil(len(text.encode()) / 3)

    def close(self) -> None:
        self._http.close()


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("retry-after", 0))
    except ValueError:
        return 0.0
