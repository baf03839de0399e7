"""The values that cross the LLM layer: what a stage asks for, what an engine answers, what a stage gets."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 256
    seed: int = 0
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class LLMRequest:
    """One generation: a completion `prompt` or chat `messages` (exactly one), an optional JSON schema the
    output must satisfy, and `template` ("name@version") naming the prompt template that rendered it."""
    key: str
    prompt: str | None = None
    messages: tuple[dict, ...] | None = None
    schema: dict | None = None
    sampling: Sampling = Sampling()
    template: str = ""

    def __post_init__(self):
        if (self.prompt is None) == (self.messages is None):
            raise ValueError(f"request {self.key!r}: give exactly one of prompt or messages")


@dataclass
class Completion:
    """What an engine returns for one request. `latency_s` is set by engines that time requests one by one."""
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = ""
    error: str | None = None
    latency_s: float | None = None


@dataclass
class LLMResult:
    """What a stage gets: the validated object (or None and an `error`, with the raw `text` kept).

    Token counts add up every attempt; `truncated` says the prompt was cut to fit the context window."""
    key: str
    parsed: dict | None
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    latency_s: float
    error: str | None
    attempts: int
    cached: bool
    truncated: bool
    template: str

    @property
    def ok(self) -> bool:
        return self.error is None
