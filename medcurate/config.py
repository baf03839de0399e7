"""Stage settings: declared once as a frozen dataclass with a help line per field, checked by type before
anything runs, and described by `medcurate stage NAME --describe`.

    @dataclass(frozen=True)
    class Config:
        threshold: float = option(0.5, "Jaccard similarity above which two rows are near duplicates")
        keep: list[str] = option(["license", "longest"], "keep policy, in order")
"""
import copy
import dataclasses
import types
import typing
from typing import Any, Literal, Union

from medcurate.errors import UsageError


class ConfigError(UsageError):
    """A config the stage cannot take: unknown key, wrong type or bad value. The message names the key."""


def option(default: Any = dataclasses.MISSING, help: str = "") -> Any:
    """A config field with its one-line help; mutable defaults are copied per instance."""
    meta = {"help": help}
    if isinstance(default, (list, dict, set)):
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    default: Any
    help: str


def describe_fields(config_cls: type) -> list[FieldInfo]:
    hints = typing.get_type_hints(config_cls)
    infos = []
    for f in dataclasses.fields(config_cls):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        infos.append(FieldInfo(f.name, type_name(hints[f.name]), default, f.metadata.get("help", "")))
    return infos


def parse_config(config_cls: type, values: Any, owner: str) -> Any:
    """`values` (from YAML/JSON) as an instance of `config_cls`, or a ConfigError naming what is wrong."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ConfigError(f"{owner}: the config must be a mapping of keys to values, not {_shown(values)}")
    hints = typing.get_type_hints(config_cls)
    known = [f.name for f in dataclasses.fields(config_cls)]
    unknown = sorted(set(values) - set(known), key=str)
    if unknown:
        raise ConfigError(f"{owner}: unknown config key(s) {', '.join(map(str, unknown))}; "
                          f"valid: {_valid(config_cls)}")
    for key, value in values.items():
        if not matches(value, hints[key]):
            raise ConfigError(f"{owner}: {key} must be {type_name(hints[key])}, not {_shown(value)}")
    try:
        return config_cls(**values)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{owner}: {exc}") from exc


def matches(value: Any, hint: Any) -> bool:
    """Does a YAML/JSON value fit a type annotation? (ints pass as floats; bools never pass as numbers)"""
    if hint is Any:
        return True
    if hint is type(None) or hint is None:
        return value is None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return any(matches(value, a) for a in args)
    if origin is Literal:
        return value in args
    if origin in (list, tuple, set) or hint in (list, tuple, set):
        if not isinstance(value, (list, tuple)):
            return False
        return all(matches(v, args[0] if args else Any) for v in value)
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            return False
        key_type, value_type = args if args else (Any, Any)
        return all(matches(k, key_type) and matches(v, value_type) for k, v in value.items())
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def type_name(hint: Any) -> str:
    if hint is type(None):
        return "null"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(a) for a in args)
    if origin is Literal:
        return "one of " + ", ".join(map(repr, args))
    if origin in (list, tuple, set):
        plural = {str: "strings", int: "integers", float: "numbers", bool: "booleans", dict: "mappings"}
        return f"a list of {plural.get(args[0], type_name(args[0]))}" if args else "a list"
    if origin is dict:
        return "a mapping" + (f" of {type_name(args[0])} to {type_name(args[1])}" if args else "")
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a mapping",
             list: "a list", Any: "any value"}
    return names.get(hint, getattr(hint, "__name__", str(hint)))


def _valid(config_cls: type) -> str:
    fields = "; ".join(f"{f.name} ({f.type})" for f in describe_fields(config_cls))
    return fields or "none (this stage takes no settings)"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
