"""The row funnel every stage records: each input record is kept, dropped with a reason, or quarantined.

`seen == kept + sum(dropped) + quarantined` must hold when a stage finishes; the runner checks it, so
a stage cannot lose rows without saying why.
"""
from collections import Counter


class Funnel:
    def __init__(self) -> None:
        self.seen = 0
        self.kept = 0
        self.quarantined = 0
        self.dropped: Counter[str] = Counter()
        self.skipped_inputs: Counter[str] = Counter()   # whole files deliberately not read (e.g. a LICENSE)
        self.inputs = 0                                  # files / archive members / input tables seen

    def see(self, n: int = 1) -> None:
        self.seen += n

    def keep(self, n: int = 1) -> None:
        self.kept += n

    def drop(self, reason: str, n: int = 1) -> None:
        if n:
            self.dropped[reason] += n

    def quarantine(self, n: int = 1) -> None:
        self.quarantined += n

    def skip_input(self, reason: str) -> None:
        self.skipped_inputs[reason] += 1

    def add(self, counts: dict) -> None:
        """Add a committed funnel (a part's) to this one."""
        self.inputs += counts.get("inputs", 0)
        self.seen += counts.get("in", 0)
        self.kept += counts.get("kept", 0)
        self.quarantined += counts.get("quarantined", 0)
        self.dropped.update(counts.get("dropped", {}))
        self.skipped_inputs.update(counts.get("skipped_inputs", {}))

    def check(self) -> None:
        accounted = self.kept + self.quarantined + sum(self.dropped.values())
        if accounted != self.seen:
            raise RuntimeError(f"funnel does not add up: {self.seen} records in, {accounted} accounted for")

    def to_dict(self) -> dict:
        return {"inputs": self.inputs, "skipped_inputs": dict(self.skipped_inputs),
                "in": self.seen, "kept": self.kept, "quarantined": self.quarantined,
                "dropped": dict(self.dropped)}
