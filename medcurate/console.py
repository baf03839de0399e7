"""Human output: progress bars and summaries go to stderr, so stdout carries only what scripts read."""
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")
console = Console(stderr=True)
if not console.is_terminal:          # logs and pipes: wide enough that ids and tables are not cut
    console.width = max(console.width, 160)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """A progress bar over `items` (a spinner-like counter when the total is unknown)."""
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
