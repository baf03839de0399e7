"""The Label Studio labeling configs kept in the repo, one XML file per `<name>.v<version>.xml`.

The version is part of the name so a project, its tasks and the annotations imported from it always say
which questions the reviewers were asked; changing a question means a new file, never an edit.
"""
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from medcurate.errors import UsageError

FOLDER = Path(__file__).parent / "configs"


@dataclass(frozen=True)
class Control:
    """One question of the form: a Choices (fixed values) or a TextArea (free text)."""
    name: str
    type: str                 # Label Studio result type: "choices" or "textarea"
    to_name: str
    choices: tuple[str, ...]  # empty for free text


@dataclass(frozen=True)
class LabelConfig:
    kind: str                 # what medcurate exports with it: qa | labels
    name: str
    version: int
    xml: str
    controls: dict[str, Control]
    free_text: tuple[str, ...]          # fields left out of agreement (corrections, not judgments)
    positive: dict[str, str]            # field -> the value a binary filter predicts ("grounded": "yes")

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


# kind -> (file, free-text fields without agreement, positive value per field for precision/recall)
_CONFIGS = {
    "qa": ("qa_review.v1.xml", ("correction",), {"grounded": "yes"}),
    "labels": ("passage_labels.v1.xml", (), {}),
}
KINDS = tuple(_CONFIGS)


@cache
def load_config(kind: str) -> LabelConfig:
    if kind not in _CONFIGS:
        raise UsageError(f"unknown annotation kind {kind!r}; choose one of {', '.join(KINDS)}")
    file, free_text, positive = _CONFIGS[kind]
    name, version = file.removesuffix(".xml").rsplit(".v", 1)
    xml = (FOLDER / file).read_text()
    return LabelConfig(kind, name, int(version), xml, controls_of(xml), free_text, positive)


def config_for_ref(ref: str) -> LabelConfig:
    """The config a task was made with, from the `name@version` stored in its data."""
    for kind in KINDS:
        if load_config(kind).ref == ref:
            return load_config(kind)
    raise UsageError(f"unknown labeling config {ref!r}")


def controls_of(xml: str) -> dict[str, Control]:
    """The questions a labeling config asks, by field name (also used to compare a server's project)."""
    root = etree.fromstring(xml.encode())
    found = {}
    for element in root.iter("Choices", "TextArea"):
        choices = tuple(c.get("value") for c in element.iter("Choice"))
        found[element.get("name")] = Control(element.get("name"), element.tag.lower(), element.get("toName"), choices)
    return found
