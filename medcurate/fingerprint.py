"""What code made a version: the code part of every version id.

A stage's fingerprint is a digest of its module, of every medcurate module it imports (transitively, lazy
imports inside functions included), of the data files that sit beside those modules (prompt templates,
fitted weights, word lists, labeling configs) and of the installed distributions it names (models shipped
as packages, by their wheel RECORD, which lists a SHA-256 per file). Change any of these and the stage's
version ids change; change anything outside (another stage, the CLI, the README) and they do not.
"""
import ast
import hashlib
import importlib.util
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT_PACKAGE = "medcurate"


@cache
def module_closure(module: str) -> tuple[str, ...]:
    """`module` and every medcurate module it imports, directly or through others, with their packages."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or not _ours(name):
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        seen.add(name)
        is_package = spec.submodule_search_locations is not None
        todo += _parents(name) + _imports(Path(spec.origin).read_text("utf-8"), name, is_package)
    return tuple(sorted(seen))


@cache
def module_digest(module: str) -> str:
    """Source of the module plus the data files of its folder (non-package subfolders included)."""
    spec = importlib.util.find_spec(module)
    origin = Path(spec.origin)
    digest = hashlib.sha256(origin.read_bytes())
    if origin.name == "__init__.py":
        for path in _data_files(origin.parent):
            digest.update(str(path.relative_to(origin.parent)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def distribution_digest(name: str) -> str:
    """An installed distribution by its RECORD (per-file hashes), or its version when it has none."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return "absent"
    record = dist.read_text("RECORD")
    return hashlib.sha256(record.encode()).hexdigest()[:16] if record else f"v{dist.version}"


def code_identity(module: str, distributions: tuple[str, ...] = ()) -> dict:
    """{"digest": ..., "modules": {name: digest}, "distributions": {name: digest}} for a stage module."""
    modules = {name: module_digest(name) for name in module_closure(module)}
    dists = {name: distribution_digest(name) for name in sorted(distributions)}
    digest = hashlib.sha256(repr((sorted(modules.items()), sorted(dists.items()))).encode()).hexdigest()[:16]
    return {"digest": digest, "modules": modules, "distributions": dists}


def _ours(name: str) -> bool:
    return name == ROOT_PACKAGE or name.startswith(ROOT_PACKAGE + ".")


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _imports(source: str, module: str, is_package: bool) -> list[str]:
    """Every module named by an import statement anywhere in `source` (candidates; non-modules drop out)."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append(base)
            names = [f"{base}.{alias.name}" for alias in node.names]
            found += [name for name in names if _ours(base) and _is_module(name)]
    return [name for name in found if _ours(name)]


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _data_files(folder: Path) -> list[Path]:
    """Files of a package folder that are not Python, down into subfolders that are not packages."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "__pycache__")):
            continue
        if path.is_file() and path.suffix not in (".py", ".pyc"):
            found.append(path)
        elif path.is_dir() and not (path / "__init__.py").exists():
            found += [p for p in sorted(path.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    return found
