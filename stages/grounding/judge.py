"""The LLM judge: one structured verdict per pair (supported / partially / unsupported) with a reason.
A pair whose judge call fails keeps a null verdict and the failure as its reason; nothing is guessed."""
from medcurate.llm import LLMClient, Sampling, load_template

TEMPLATE = "grounding_judge"
VERDICT_SCORE = {"supported": 1.0, "partially": 0.5, "unsupported": 0.0}
MAX_PASSAGE_CHARS = 6000


def judge(client: LLMClient, rows: list[dict], chat: bool = True, max_tokens: int = 96) -> list[dict]:
    """rows: id, passage, question, answer → per row: judge_label, judge_score, judge_reason."""
    template = load_template(TEMPLATE)
    requests = [template.request(r["id"], chat=chat, sampling=Sampling(max_tokens=max_tokens),
                                 passage=(r["passage"] or "")[:MAX_PASSAGE_CHARS], question=r["question"] or "",
                                 answer=r["answer"] or "") for r in rows]
    out = []
    for result in client.run(requests):
        if result.ok:
            verdict = result.parsed["verdict"]
            out.append({"judge_label": verdict, "judge_score": VERDICT_SCORE[verdict],
                        "judge_reason": result.parsed["reason"]})
        else:
            out.append({"judge_label": None, "judge_score": None, "judge_reason": f"judge failed: {result.error}"})
    return out
