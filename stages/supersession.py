"""One row per document id while an ingest walks its inputs, with a newer article version winning.

Rows without a known version are written at once: by the rule in medcurate.supersede a later row can
only be their duplicate. A row with a version may still be superseded by a newer version of the same
article in any later file, so it waits in a spill file on disk (memory stays flat however many articles
come in versions) and only each article's winner is written once every input has been read.
"""
import pickle
import tempfile
from collections.abc import Iterator

from medcurate.funnel import Funnel
from medcurate.inputs import InputUnit
from medcurate.supersede import DUPLICATE, SUPERSEDED, article_version, supersedes

_ABSENT = object()


class Claims:
    def __init__(self) -> None:
        self.kept: dict[str, int | None] = {}     # id -> version of the row holding it (None: unknown)
        self._spill = None

    def admit(self, row: dict, funnel: Funnel) -> bool:
        """Count `row` kept (it takes or retakes its id) or dropped with the reason; True when kept."""
        version, holder = article_version(row), self.kept.get(row["id"], _ABSENT)
        if holder is _ABSENT or supersedes(version, holder):
            if holder is _ABSENT:
                funnel.keep()
            else:
                funnel.drop(SUPERSEDED)            # the row it replaces: its keep is now this one's
            self.kept[row["id"]] = version
            return True
        funnel.drop(SUPERSEDED if supersedes(holder, version) else DUPLICATE)
        return False

    def hold(self, row: dict, unit: InputUnit) -> bool:
        """Keep an admitted row with a version back until `released`; False for a row to write now."""
        if article_version(row) is None:
            return False
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(prefix="medcurate-versions-")
        pickle.dump((row, unit.file, unit.member), self._spill, protocol=pickle.HIGHEST_PROTOCOL)
        return True

    def released(self) -> Iterator[tuple[dict, InputUnit]]:
        """The held rows still holding their id (each article's newest version), in the order they came."""
        if self._spill is None:
            return
        with self._spill as spill:
            spill.seek(0)
            while True:
                try:
                    row, file, member = pickle.load(spill)
                except EOFError:
                    break
                if self.kept[row["id"]] == article_version(row):
                    yield row, InputUnit(file, member, b"")
