"""The `medcurate` command line: one module per command group. Summaries and progress go to stderr;
stdout carries ids or JSON."""
from medcurate.cli import annotate, audit, card, fetch, ingest, llm, run, stage, versions  # noqa: F401 (commands)
from medcurate.cli.app import app

__all__ = ["app"]
