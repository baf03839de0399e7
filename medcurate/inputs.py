"""Walk input paths and yield their readable units: plain files, gunzipped files and tar members.

Archives are streamed member by member and never extracted to disk. Anything unreadable (a truncated
gzip or tar, an empty file, a tar member with an absolute or `..` path) comes out as a `BadInput`
with its reason, and the walk goes on with the next input.
"""
import gzip
import posixpath
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import fsspec

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")


@dataclass(frozen=True)
class InputUnit:
    file: str
    member: str | None
    data: bytes

    @property
    def name(self) -> str:
        """The innermost name: the member name inside an archive, else the file path."""
        return self.member or self.file


@dataclass(frozen=True)
class BadInput:
    file: str
    member: str | None
    reason: str


def list_files(paths: Iterable[str]) -> list[str]:
    """Expand folders (recursively, hidden files excluded) into a sorted list of file paths/URLs."""
    found: list[str] = []
    for path in paths:
        fs, root = fsspec.core.url_to_fs(path)
        if not fs.exists(root):
            raise FileNotFoundError(f"input not found: {path}")
        if fs.isdir(root):
            for name in sorted(fs.find(root)):
                rel = posixpath.relpath(name, root)
                if not any(part.startswith(".") for part in rel.split("/")):
                    found.append(_unstrip(path, root, name))
        else:
            found.append(path)
    return found


def _unstrip(original: str, root: str, name: str) -> str:
    """Give a found file back the protocol prefix of the path the user passed."""
    if "://" in original:
        return original.split("://", 1)[0] + "://" + name
    return name


def iter_units(files: Iterable[str]) -> Iterator[InputUnit | BadInput]:
    for path in files:
        lower = path.lower()
        if lower.endswith(ARCHIVE_SUFFIXES):
            yield from _iter_tar(path)
        elif lower.endswith(".gz"):
            yield _read_gzip(path)
        else:
            with fsspec.open(path, "rb") as fh:
                data = fh.read()
            yield InputUnit(path, None, data) if data else BadInput(path, None, "empty file")


def _read_gzip(path: str) -> InputUnit | BadInput:
    with fsspec.open(path, "rb") as fh:
        raw = fh.read()
    try:
        data = gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        return BadInput(path, None, f"truncated or corrupt gzip: {exc}")
    return InputUnit(path, None, data) if data else BadInput(path, None, "empty file")


def unsafe_member_name(name: str) -> bool:
    """True for member paths that would escape an extraction folder (absolute, `..`, drive letters)."""
    norm = name.replace("\\", "/")
    return norm.startswith("/") or ".." in norm.split("/") or (len(norm) > 1 and norm[1] == ":")


def _iter_tar(path: str) -> Iterator[InputUnit | BadInput]:
    member_name = None
    with fsspec.open(path, "rb") as fh:
        try:
            with tarfile.open(fileobj=fh, mode="r|*") as tar:
                for member in tar:
                    member_name = member.name
                    if unsafe_member_name(member.name):
                        yield BadInput(path, member.name, "unsafe tar member path (absolute or '..'): rejected")
                        continue
                    if member.issym() or member.islnk():
                        yield BadInput(path, member.name, "tar member is a link: rejected")
                        continue
                    if not member.isfile():
                        continue
                    data = tar.extractfile(member).read()
                    if len(data) < member.size:
                        raise EOFError(f"member {member.name} cut short")
                    yield InputUnit(path, member.name, data) if data else BadInput(path, member.name, "empty file")
                    member_name = None
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            yield BadInput(path, member_name, f"truncated or corrupt archive: {exc}")
