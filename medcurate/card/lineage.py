"""A version's ancestry, read from the `inputs` of the manifests back to the raw files."""
from dataclasses import dataclass, field

from medcurate.store import Version, VersionStore


@dataclass
class Lineage:
    versions: list[Version] = field(default_factory=list)    # ancestors first, the version itself last
    raw_files: list[str] = field(default_factory=list)       # ingest inputs, "path@digest"


def lineage(store: VersionStore, version: Version) -> Lineage:
    found = Lineage()
    seen: set[str] = set()

    def visit(v: Version) -> None:
        if v.id in seen:
            return
        seen.add(v.id)
        for ref in v.manifest["inputs"]:
            parent = store.get(ref.split(":", 1)[0].split("[", 1)[0])
            if parent:
                visit(parent)
            elif ref not in found.raw_files:
                found.raw_files.append(ref)
        found.versions.append(v)

    visit(version)
    return found
