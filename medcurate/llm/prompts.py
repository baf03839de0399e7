"""Prompt templates: versioned Jinja2 files in `prompts/`, named NAME.vVERSION.j2.

A file may start with YAML front matter between `---` lines: `system` (the system message) and
`schema` (the JSON schema the answer must satisfy), so wording and expected output change together.
Every request a template renders carries its id, "name@version": the rows it produces record which
wording made them, and the response cache never mixes two wordings. Rewording means a new file with the
next version; old versions stay, so earlier results can be reproduced.
"""
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from medcurate.llm.types import LLMRequest, Sampling

TEMPLATE_DIR = Path(__file__).parent / "prompts"
FILENAME = re.compile(r"^(?P<name>[\w-]+)\.v(?P<version>\d+)\.j2$")
_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                          autoescape=False)


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: int
    body: jinja2.Template
    system: str | None = None
    schema: dict | None = None

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **values) -> str:
        return self.body.render(**values).strip()

    def request(self, key: str, *, chat: bool = True, sampling: Sampling = Sampling(), **values) -> LLMRequest:
        """Chat messages (system + user), or for base models one completion prompt with the same text."""
        text = self.render(**values)
        if chat:
            system = ({"role": "system", "content": self.system},) if self.system else ()
            return LLMRequest(key, messages=(*system, {"role": "user", "content": text}), schema=self.schema,
                              sampling=sampling, template=self.id)
        prompt = f"{self.system}\n\n{text}" if self.system else text
        return LLMRequest(key, prompt=prompt, schema=self.schema, sampling=sampling, template=self.id)


def load_template(ref: str, directory: Path = TEMPLATE_DIR) -> PromptTemplate:
    """"name" (its newest version) or "name@version"."""
    name, _, wanted = ref.partition("@")
    found = {int(m["version"]): path for path in directory.glob(f"{name}.v*.j2")
             if (m := FILENAME.match(path.name)) and m["name"] == name}
    if not found or (wanted and int(wanted) not in found):
        raise FileNotFoundError(f"no prompt template {ref!r} in {directory}")
    version = int(wanted) if wanted else max(found)
    text = found[version].read_text()
    meta = {}
    if text.startswith("---\n"):
        header, text = text[4:].split("\n---\n", 1)
        meta = yaml.safe_load(header) or {}
    return PromptTemplate(name, version, _ENV.from_string(text), meta.get("system"), meta.get("schema"))
