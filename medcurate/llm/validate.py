"""Is an engine's output usable? Parse the JSON a schema asks for and validate it; name what is wrong.

Every problem found here is retried by the client and, if it persists, recorded with the raw text:
nothing is ever repaired into an answer the model did not give.
"""
import functools
import json
import re

import jsonschema

from medcurate.llm.types import Completion

REFUSAL = re.compile(r"^\W*(i['’]?m sorry|i am sorry|sorry,|i can['’]?not|i can['’]t|i am unable|i['’]m unable|"
                     r"i won['’]t|as an ai\b)", re.IGNORECASE)
FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*(?:```)?$", re.DOTALL)


def check(completion: Completion, schema: dict | None) -> tuple[object, str | None]:
    """(parsed JSON or None, problem or None)."""
    text = completion.text
    if completion.finish_reason == "refusal" or REFUSAL.match(text):
        return None, "refusal"
    if not text.strip():
        return None, "empty output"
    if schema is None:
        return None, None
    cut = " (cut at max_tokens)" if completion.finish_reason == "length" else ""
    try:
        parsed = extract_json(text)
    except ValueError as exc:
        return None, f"invalid JSON{cut}: {exc}"
    if error := jsonschema.exceptions.best_match(_validator(json.dumps(schema, sort_keys=True)).iter_errors(parsed)):
        return None, f"does not match the schema{cut}: {error.message}"
    return parsed, None


def extract_json(text: str):
    """The JSON value in `text`, allowing a code fence around it; a model's prose around it is not skipped."""
    body = FENCE.match(text.strip()).group(1) if text.lstrip().startswith("```") else text.strip()
    return json.loads(body)


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)
