"""The agreement report of an `annotations` version as two tables on stderr."""
from rich.table import Table

from medcurate.console import console


def print_agreement(summary: dict) -> None:
    humans = _table("field", "items", "annotators", "agreement", "kappa")
    for field, a in summary["agreement"].items():
        kappa = f"{_num(a.get('kappa'))} ({a['statistic']})" if "statistic" in a else "-"
        humans.add_row(field, str(a["items"]), str(a["annotators"]), _pct(a.get("percent")), kappa)
    console.print(f"\n[bold]reviewers[/] ({', '.join(summary['annotators']) or 'none'}) agree with each other:")
    console.print(humans)
    if not summary["automatic"]:
        return
    models = _table("automatic output", "field", "n", "accuracy", "kappa", "precision", "recall")
    for model, fields in summary["automatic"].items():
        for field, m in fields.items():
            models.add_row(model, field, str(m["n"]), _pct(m.get("accuracy")), _num(m.get("kappa")),
                           _pct(m.get("precision")), _pct(m.get("recall")))
    console.print("[bold]automatic outputs[/] against the reviewers' judgments:")
    console.print(models)


def _table(*columns: str) -> Table:
    table = Table(box=None, padding=(0, 2), header_style="bold")
    for column in columns:
        table.add_column(column, justify="left" if column in ("field", "automatic output") else "right")
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
