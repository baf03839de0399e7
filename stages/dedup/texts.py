"""Which text of a row is compared, per dataset kind, as one Arrow string array per batch."""
import pyarrow as pa
import pyarrow.compute as pc

from medcurate.errors import UsageError

# Documents compare title + abstract, so a PMC article and its MEDLINE citation meet; a document
# with neither (a clinical note) falls back to its full text.
DEFAULT_TEXT_COLUMNS = {
    "passages": ["text"],
    "documents": ["title", "abstract"],
    "exam_items": ["question", "options"],
    "qa_pairs": ["question", "answer"],
}
FALLBACK_COLUMN = "text"


def text_columns(kind: str, columns: list[str], configured: list[str] | None) -> list[str]:
    """The configured columns (all must exist), else the kind's defaults that exist, else `text`."""
    if configured:
        missing = [c for c in configured if c not in columns]
        if missing:
            raise UsageError(f"{kind} table has no column {', '.join(missing)} (columns: {', '.join(columns)})")
        return list(configured)
    chosen = [c for c in DEFAULT_TEXT_COLUMNS.get(kind, []) if c in columns]
    if not chosen and FALLBACK_COLUMN in columns:
        chosen = [FALLBACK_COLUMN]
    if not chosen:
        raise UsageError(f"no text column found in {kind} table (columns: {', '.join(columns)}); "
                         "set text_columns in the stage config")
    return chosen


def field_text(batch: pa.RecordBatch | pa.Table, column: str) -> pa.Array:
    """A column as plain text: strings as they are, lists (of strings, or of options with a
    `text` field) joined with spaces."""
    values = batch.column(column)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        if pa.types.is_struct(kind.value_type):
            if values.offset:              # a slice (a part of a table): rebase it so offsets start at 0
                values = pa.concat_arrays([values])
            items = pc.struct_field(values.values, "text")
            values = type(values).from_arrays(values.offsets, items, mask=values.is_null())
        values = pc.binary_join(values, " ")
    elif not pa.types.is_string(kind) and not pa.types.is_large_string(kind):
        values = pc.cast(values, pa.string())
    return pc.fill_null(values, "")


def row_texts(batch: pa.RecordBatch | pa.Table, columns: list[str], kind: str = "") -> pa.Array:
    parts = [field_text(batch, c) for c in columns]
    joined = parts[0] if len(parts) == 1 else pc.utf8_trim_whitespace(pc.binary_join_element_wise(*parts, " "))
    if kind == "documents" and FALLBACK_COLUMN in batch.schema.names and FALLBACK_COLUMN not in columns:
        joined = pc.if_else(pc.equal(joined, ""), field_text(batch, FALLBACK_COLUMN), joined)
    return joined
