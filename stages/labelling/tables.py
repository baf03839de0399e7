"""Picking a stage's input tables by kind (passages, documents, labels, models)."""
from medcurate.stage import TableInput


def kind_of(table: TableInput) -> str:
    return table.version.tables[table.table]["kind"]
