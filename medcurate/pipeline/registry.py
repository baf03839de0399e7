"""Every stage the CLI and the pipeline can run, by name.

The stages register themselves (`@register`, medcurate/stage.py); this module only makes sure they are
imported: every module of `medcurate.stages`, then the stages other installed packages declare under the
`medcurate.stages` entry-point group (the Label Studio import is one), so a user's own stage needs no edit
of this package. A pipeline file may also name a stage class directly as `module:Class`.
"""
import importlib
import pkgutil
from functools import cache
from importlib import metadata

from medcurate import stages as builtin
from medcurate.errors import UsageError
from medcurate.stage import STAGES, Stage

ENTRY_POINTS = "medcurate.stages"


class UnknownStage(UsageError):
    pass


@cache
def load_all() -> dict[str, type[Stage]]:
    for module in pkgutil.walk_packages(builtin.__path__, builtin.__name__ + "."):
        importlib.import_module(module.name)
    for entry in metadata.entry_points(group=ENTRY_POINTS):
        entry.load()
    return STAGES


def stage_class(name: str) -> type[Stage]:
    """A registered stage by name, or `package.module:Class` for a stage defined elsewhere."""
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise UnknownStage(f"cannot load stage {name!r}: {exc}") from None
        if not (isinstance(cls, type) and issubclass(cls, Stage)):
            raise UnknownStage(f"{name!r} is not a medcurate Stage")
        return cls
    stages = load_all()
    if name not in stages:
        raise UnknownStage(f"unknown stage {name!r}; stages: {', '.join(sorted(stages))}")
    return stages[name]


def ingester(source: str) -> type[Stage]:
    """The ingest stage for `medcurate ingest SOURCE` (pmc, exams, notes)."""
    return stage_class(f"ingest_{source}")
