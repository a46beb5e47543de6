"""Policy packs: loading, validation and lookup. One YAML file per source in policy/packs/ (catalogue §4, §5).

Validated at start-up (PolicyConfig.ready and a system check): an unknown key, a wrong value type, a bad clause ID
or a city value that loosens a national "shall" bound stops the process with the file, key and problem named.
Effective policy on a node (with local overrides): policy.selectors.effective_policy.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from gongzhi.core.errors import InvalidInput
from gongzhi.policy.effective import EffectivePolicy, layered
from gongzhi.policy.schema import KEYS, Entry, Meta, PackFile, loosens, validate_value

PACK_CODES = ("national", "huzhou", "cangzhou", "ningbo", "binzhou")
CITY_PACKS = PACK_CODES[1:]
PACKS_DIR = Path(__file__).resolve().parent / "packs"


def require_pack(code: str) -> None:
    if code not in CITY_PACKS:
        raise InvalidInput(_("Unknown policy pack."), code="pack_invalid")


class PackError(Exception):
    """A pack file that cannot be used: names the file, the key (or section) and the problem."""

    def __init__(self, file: str | Path, key: str, problem: str) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"policy pack {self.file}: key '{self.key}': {self.problem}"


@dataclass(frozen=True)
class Pack:
    code: str
    meta: Meta
    values: dict[str, tuple[Entry, Any]]  # key → (entry as written, typed value)
    path: Path


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a pack must not have a key twice."""


class _DuplicateKey(yaml.constructor.ConstructorError):
    def __init__(self, key: Any, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"duplicate key {key!r}", mark)
        self.key = str(key)
        self.line = mark.line + 1


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader)
    except _DuplicateKey as exc:
        raise PackError(path, exc.key, f"duplicate key (line {exc.line})") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(path, "-", f"cannot read YAML: {exc}") from exc


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = [str(part) for part in err["loc"]]
    if loc[:1] == ["values"] and len(loc) >= 2:
        field = f" ({'.'.join(loc[2:])})" if len(loc) > 2 else ""
        return loc[1], f"{err['msg']}{field}"
    return ".".join(loc) or "-", err["msg"]


def _typed_values(path: Path, pack: PackFile) -> dict[str, tuple[Entry, Any]]:
    out: dict[str, tuple[Entry, Any]] = {}
    for key, entry in pack.values.items():
        if key not in KEYS:
            raise PackError(path, key, "unknown policy key (not in policy.schema.KEYS)")
        try:
            out[key] = (entry, validate_value(key, entry.value))
        except (ValidationError, ValueError) as exc:
            problem = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise PackError(path, key, f"wrong value type: {problem}") from exc
    return out


def load_pack_file(path: Path) -> Pack:
    """Read and validate one pack file; raise PackError naming the file, key and problem."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise PackError(path, "-", "a pack is a mapping with 'meta' and 'values'")
    try:
        pack = PackFile.model_validate(raw)
    except ValidationError as exc:
        key, problem = _first_problem(exc)
        raise PackError(path, key, problem) from exc
    if pack.meta.code != path.stem:
        raise PackError(path, "meta.code", f"is {pack.meta.code!r} but the file is named {path.stem!r}")
    return Pack(code=path.stem, meta=pack.meta, values=_typed_values(path, pack), path=path)


def _check_tighten_only(national: Pack, city: Pack) -> None:
    """National law applies under every city pack: a city may tighten a 'shall' bound, never loosen it."""
    for key, (_entry, value) in city.values.items():
        base = national.values.get(key)
        if base and base[0].force == "shall" and loosens(key, value, base[1]):
            raise PackError(
                city.path, key, f"{value} loosens the national bound {base[1]} ({base[0].clause})"
            )


def load_packs(directory: Path | None = None) -> dict[str, Pack]:
    """Load and validate every pack in `directory` (default: the shipped packs). Not cached."""
    directory = directory or PACKS_DIR
    packs: dict[str, Pack] = {}
    for code in PACK_CODES:
        path = directory / f"{code}.yaml"
        if not path.exists():
            raise PackError(path, "-", "pack file is missing")
        packs[code] = load_pack_file(path)
    for code in CITY_PACKS:
        _check_tighten_only(packs["national"], packs[code])
    return packs


@functools.cache
def get_packs() -> dict[str, Pack]:
    """The shipped packs, loaded once per process (validated at start-up by PolicyConfig.ready)."""
    return load_packs()


def pack_layers(city: str) -> list[tuple[str, dict[str, tuple[Entry, Any]]]]:
    packs = get_packs()
    layers = [("national", packs["national"].values)]
    if city in CITY_PACKS:  # an unknown code on a node (not possible through tree.services) adds nothing
        layers.append((city, packs[city].values))
    return layers


def pack_meta(code: str) -> Meta | None:
    """Name, document, status (报批稿, 征求意见稿 …) and version of a pack, for display."""
    pack = get_packs().get(code)
    return pack.meta if pack else None


@functools.cache
def pack_policy(city: str = "") -> EffectivePolicy:
    """National plus one city pack, without local overrides (also usable without a database)."""
    return layered(pack_layers(city), pack=city)
