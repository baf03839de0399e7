"""What stages call: a batch of requests in, validated results out, whichever engine runs underneath.

Per batch: cache lookup; the misses go to the engine in chunks of `batch_size`; each output is checked
(empty, refusal, invalid JSON, schema) and retried up to `max_attempts` with a new seed, and at least
`retry_temperature`, because greedy decoding would repeat the same answer; what still fails is recorded
with its raw text. Prompts too long for the context window are cut in the middle (instructions at the
start and the answer cue at the end survive) and flagged. Validated results go to the cache as they
arrive, and the cache is flushed when the run ends, even when the engine fails or the run is interrupted.
"""
import dataclasses
import json
import time
from dataclasses import dataclass

from medcurate.console import track
from medcurate.llm.cache import ResponseCache, cache_key
from medcurate.llm.engine import Engine, EngineUnavailable
from medcurate.llm.types import Completion, LLMRequest, LLMResult
from medcurate.llm.validate import check

TEMPLATE_OVERHEAD = 8      # tokens a chat template (or BOS) adds around each message
CUT_MARK = " […] "


@dataclass
class ClientStats:
    requests: int = 0
    cache_hits: int = 0
    engine_requests: int = 0     # sent to the engine, retries included
    retries: int = 0
    failures: int = 0
    truncated: int = 0

    @property
    def hit_rate(self) -> float:
        return self.cache_hits / self.requests if self.requests else 0.0


@dataclass
class _Job:
    """One request on its way through attempts."""
    request: LLMRequest
    truncated: bool
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0

    def result(self, completion: Completion, parsed, error: str | None) -> LLMResult:
        return LLMResult(self.request.key, parsed, completion.text, self.prompt_tokens, self.completion_tokens,
                         completion.finish_reason, self.latency_s, error, self.attempts, False, self.truncated,
                         self.request.template)


class LLMClient:
    def __init__(self, engine: Engine, cache: ResponseCache | None = None, max_attempts: int = 3,
                 batch_size: int = 32, retry_temperature: float = 0.7):
        self.engine, self.cache, self.max_attempts = engine, cache, max_attempts
        self.batch_size, self.retry_temperature = batch_size, retry_temperature
        self.stats = ClientStats()

    def run(self, requests: list[LLMRequest], progress: bool = True) -> list[LLMResult]:
        results: list[LLMResult | None] = [None] * len(requests)
        keys = [cache_key(self.engine.identity, r) for r in requests] if self.cache is not None else []
        misses = []
        for i, request in enumerate(requests):
            hit = self.cache.get(keys[i]) if self.cache is not None else None
            if hit is None:
                misses.append(i)
            else:
                results[i] = _from_cache(request, hit)
        self.stats.requests += len(requests)
        self.stats.cache_hits += len(requests) - len(misses)

        def done(i: int, result: LLMResult) -> None:
            results[i] = result
            if result.ok and self.cache is not None:
                self.cache.put(keys[i], result)

        chunks = [misses[j:j + self.batch_size] for j in range(0, len(misses), self.batch_size)]
        try:
            for chunk in track(chunks, f"llm: {len(misses)} requests", len(chunks)) if progress else chunks:
                self._generate({i: requests[i] for i in chunk}, done)
        finally:
            if self.cache is not None:
                self.cache.flush()
        return results

    def _generate(self, requests: dict[int, LLMRequest], done) -> None:
        jobs: dict[int, _Job] = {}
        for i, request in requests.items():
            fitted = self._fit(request)
            if fitted is None:
                self.stats.failures += 1
                done(i, LLMResult(request.key, None, "", 0, 0, "", 0.0,
                                  f"prompt does not fit in {self.engine.context_length} tokens with "
                                  f"max_tokens={request.sampling.max_tokens}", 0, False, True, request.template))
                continue
            jobs[i] = _Job(fitted, truncated=fitted is not request)
            self.stats.truncated += fitted is not request
        while jobs:
            order = list(jobs)
            sent = [self._attempt(jobs[i]) for i in order]
            started, unavailable = time.perf_counter(), None
            try:
                completions = self.engine.complete(sent)
            except EngineUnavailable as exc:
                completions, unavailable = exc.partial, exc
            elapsed = time.perf_counter() - started
            self.stats.engine_requests += len(sent)
            retry = {}
            for i, completion in zip(order, completions):
                if completion is None:
                    continue
                job = jobs[i]
                job.attempts += 1
                job.prompt_tokens += completion.prompt_tokens
                job.completion_tokens += completion.completion_tokens
                job.latency_s += completion.latency_s if completion.latency_s is not None else elapsed
                parsed, problem = ((None, completion.error) if completion.error
                                   else check(completion, job.request.schema))
                if problem is None:
                    done(i, job.result(completion, parsed, None))
                elif completion.error is None and job.attempts < self.max_attempts:
                    retry[i] = job
                else:
                    self.stats.failures += 1
                    done(i, job.result(completion, None, problem))
            if unavailable:
                raise unavailable
            self.stats.retries += len(retry)
            jobs = retry

    def _attempt(self, job: _Job) -> LLMRequest:
        if not job.attempts:
            return job.request
        s = job.request.sampling
        return dataclasses.replace(job.request, sampling=dataclasses.replace(
            s, seed=s.seed + job.attempts, temperature=max(s.temperature, self.retry_temperature)))

    def _fit(self, request: LLMRequest) -> LLMRequest | None:
        """The request, or a copy whose longest text is cut to fit the context; None if nothing can fit."""
        texts = [request.prompt] if request.prompt is not None else [m["content"] for m in request.messages]
        budget = self.engine.context_length - request.sampling.max_tokens - TEMPLATE_OVERHEAD * (len(texts) + 1)
        if sum(len(t.encode()) for t in texts) <= budget:     # a token never covers less than a byte
            return request
        counts = [self.engine.count_tokens(t) for t in texts]
        if sum(counts) <= budget:
            return request
        longest = max(range(len(texts)), key=counts.__getitem__)
        cut = _cut_middle(texts[longest], budget - (sum(counts) - counts[longest]), counts[longest],
                          self.engine.count_tokens)
        if cut is None:
            return None
        if request.prompt is not None:
            return dataclasses.replace(request, prompt=cut)
        messages = list(request.messages)
        messages[longest] = {**messages[longest], "content": cut}
        return dataclasses.replace(request, messages=tuple(messages))


def _cut_middle(text: str, limit: int, tokens: int, count) -> str | None:
    """`text` with its middle replaced by CUT_MARK until it counts at most `limit` tokens."""
    keep, cut = len(text), text
    while tokens > limit:
        keep = int(keep * min(limit / tokens, 0.97))
        if limit <= 0 or keep <= 0:
            return None
        head = keep // 2
        cut = text[:head] + CUT_MARK + text[len(text) - (keep - head):]
        tokens = count(cut)
    return cut


def _from_cache(request: LLMRequest, row: dict) -> LLMResult:
    return LLMResult(request.key, None if row["parsed"] is None else json.loads(row["parsed"]), row["text"],
                     row["prompt_tokens"], row["completion_tokens"], row["finish_reason"], row["latency_s"], None,
                     row["attempts"], True, row["truncated"], row["template"])

