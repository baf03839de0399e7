"""OpenAI request and response bodies, shared by the HTTP engine and the embedded llama.cpp server,
which takes the same JSON in-process."""
from medcurate.llm.types import Completion, LLMRequest

CHAT_PATH, COMPLETION_PATH = "/v1/chat/completions", "/v1/completions"


def path(request: LLMRequest) -> str:
    return CHAT_PATH if request.messages is not None else COMPLETION_PATH


def body(request: LLMRequest, model: str | None = None, schema: bool = True) -> dict:
    """The request body; with `schema`, the JSON schema goes in `response_format` (chat, vLLM) and, for
    plain completions, also in `json_schema`, which is where llama.cpp reads it on /v1/completions."""
    s = request.sampling
    out = {"max_tokens": s.max_tokens, "temperature": s.temperature, "top_p": s.top_p, "seed": s.seed}
    if model:
        out["model"] = model
    if s.stop:
        out["stop"] = list(s.stop)
    if request.messages is not None:
        out["messages"] = [dict(m) for m in request.messages]
    else:
        out["prompt"] = request.prompt
    if schema and request.schema is not None:
        out["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": request.schema}}
        if request.messages is None:
            out["json_schema"] = request.schema
    return out


def parse(response: dict, chat: bool) -> Completion:
    """A completion from a response body; raises KeyError/IndexError/TypeError on a malformed one."""
    choice = response["choices"][0]
    finish = choice.get("finish_reason") or ""
    if chat:
        message = choice["message"]
        text = message.get("content") or ""
        if message.get("refusal"):          # OpenAI reports refusals beside the (empty) content
            text, finish = message["refusal"], "refusal"
    else:
        text = choice["text"] or ""
    if not isinstance(text, str):
        raise TypeError(f"completion text is {type(text).__name__}, not a string")
    usage = response.get("usage") or {}
    return Completion(text, usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0, finish)
