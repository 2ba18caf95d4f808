"""Evidence packs: a claim's files in a directory, with a manifest of SHA-256 hashes chained
per shipment, so that any later change to the pack can be found and named.

Chain. The manifest's header (format, shipment, claim, creation time, personal-data mode)
is hashed into the *genesis*; then, for the file at position ``i`` (1-based, in manifest
order)::

    chain_i = SHA-256( chain_{i-1} NUL sha256(file_i) NUL i NUL name_i )

and the manifest's ``head`` is the last chain value. Editing a byte changes the file's
hash; deleting, adding, renaming or reordering files, or editing the manifest's header or an
entry, breaks the recomputation at that point. (A chain proves order and integrity, not
authorship: keep the head hash shown at export somewhere else to detect a pack rebuilt from
scratch.)

``write_pack`` writes the files and the manifest; ``verify_pack`` reads a directory back and
lists each problem with the file it concerns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = "parcel-watch evidence pack 1"
MANIFEST = "manifest.json"
_HEADER_KEYS = ("shipment", "claim", "created_at", "personal_data")


@dataclass(frozen=True)
class PackFile:
    name: str  # relative POSIX path inside the pack
    data: bytes
    description: str
    extra: Mapping[str, Any] = field(default_factory=dict)  # more manifest keys (a payload's origin)


class ProblemKind(StrEnum):
    MISSING = "missing"  # listed in the manifest, not in the directory
    EDITED = "edited"  # its bytes are not the ones hashed
    MOVED = "moved"  # it holds the bytes listed for another file (swapped, renamed)
    ADDED = "added"  # in the directory, not in the manifest
    CHAIN = "chain"  # the manifest entry was altered, reordered or removed
    MANIFEST = "manifest"  # the manifest itself is missing, unreadable or altered


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    name: str
    detail: str

    def __str__(self) -> str:
        return f"{self.name}: {self.detail}"


@dataclass(frozen=True)
class Verification:
    problems: tuple[Problem, ...]
    files_checked: int
    head: str | None  # the head the manifest claims

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def genesis(header: Mapping[str, Any]) -> str:
    canonical = json.dumps({k: header.get(k) for k in _HEADER_KEYS}, sort_keys=True, ensure_ascii=True)
    return sha256(f"{FORMAT}\0{canonical}".encode())


def chain_hash(previous: str, file_sha256: str, position: int, name: str) -> str:
    return sha256(f"{previous}\0{file_sha256}\0{position}\0{name}".encode())


def safe_name(name: str) -> bool:
    """A relative path that stays inside the pack."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def build_manifest(header: Mapping[str, Any], files: Sequence[PackFile]) -> dict[str, Any]:
    """The manifest of ``files`` in this order (pure). ``header`` holds the _HEADER_KEYS
    plus anything else worth keeping (withheld payloads)."""
    previous = genesis(header)
    entries = []
    names = set()
    for position, item in enumerate(files, start=1):
        if not safe_name(item.name) or item.name == MANIFEST or item.name in names:
            raise ValueError(f"bad or repeated file name in an evidence pack: {item.name!r}")
        names.add(item.name)
        digest = sha256(item.data)
        previous = chain_hash(previous, digest, position, item.name)
        entries.append(
            {
                "position": position,
                "name": item.name,
                "sha256": digest,
                "size": len(item.data),
                "chain": previous,
                "description": item.description,
                **item.extra,
            }
        )
    return {**header, "format": FORMAT, "files": entries, "head": previous}


def write_pack(directory: Path, header: Mapping[str, Any], files: Sequence[PackFile]) -> dict[str, Any]:
    """Write ``files`` and their manifest into ``directory`` (created; must be empty)."""
    manifest = build_manifest(header, files)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty: an evidence pack needs a directory of its own")
    for item in files:
        path = directory / item.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(item.data)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


# -- verification -------------------------------------------------------------------------


def _read_manifest(directory: Path) -> tuple[dict[str, Any] | None, Problem | None]:
    path = directory / MANIFEST
    if not path.is_file():
        return None, Problem(ProblemKind.MANIFEST, MANIFEST, "missing: this is not an evidence pack")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, Problem(ProblemKind.MANIFEST, MANIFEST, f"not readable JSON ({exc})")
    if not (
        isinstance(manifest, dict)
        and manifest.get("format") == FORMAT
        and isinstance(manifest.get("files"), list)
    ):
        return None, Problem(ProblemKind.MANIFEST, MANIFEST, f"not a manifest of the format {FORMAT!r}")
    for entry in manifest["files"]:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("chain"), str)
            and isinstance(entry.get("position"), int)
        ):
            return None, Problem(ProblemKind.MANIFEST, MANIFEST, f"malformed file entry: {entry!r:.120}")
    return manifest, None


def _files_on_disk(directory: Path) -> set[str]:
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() or path.is_symlink()
    } - {MANIFEST}


def _file_problems(directory: Path, entry: Mapping[str, Any], listed: Mapping[str, str]) -> list[Problem]:
    name = entry["name"]
    if not safe_name(name):
        return [Problem(ProblemKind.MANIFEST, name, "a name that points outside the pack")]
    path = directory / name
    if not path.is_file():
        return [Problem(ProblemKind.MISSING, name, "listed in the manifest, missing from the pack")]
    actual = sha256(path.read_bytes())
    if actual == entry["sha256"]:
        return []
    other = listed.get(actual)
    if other is not None and other != name:
        return [Problem(ProblemKind.MOVED, name, f"holds the content listed for {other}")]
    return [Problem(ProblemKind.EDITED, name, "its content was changed (SHA-256 differs)")]


def _chain_break(position: int) -> str:
    if position == 1:
        return "its manifest entry or the manifest header (shipment, claim, date) was altered"
    return "its manifest entry was altered, or an entry before it was removed"


def verify_pack(directory: Path) -> Verification:
    """Every problem with the pack in ``directory``, each naming its file."""
    manifest, problem = _read_manifest(directory)
    if manifest is None:
        return Verification((problem,) if problem else (), 0, None)
    entries: list[dict[str, Any]] = manifest["files"]
    problems: list[Problem] = []
    listed_hashes = {e["sha256"]: e["name"] for e in entries}
    # The chain is checked in the order the manifest's positions give; a file list shuffled
    # after export is then reported where it is out of place, not as a broken chain.
    ordered = sorted(entries, key=lambda e: e["position"])
    previous = genesis(manifest)
    for entry in ordered:
        name = entry["name"]
        if entry["chain"] != chain_hash(previous, entry["sha256"], entry["position"], name):
            problems.append(Problem(ProblemKind.CHAIN, name, _chain_break(entry["position"])))
        previous = entry["chain"]  # go on from what the manifest says: one break, one report
    if manifest.get("head") != previous:
        problems.append(Problem(ProblemKind.MANIFEST, MANIFEST, "the head is not the last chain value"))
    positions_intact = [e["position"] for e in ordered] == list(range(1, len(entries) + 1))
    for index, entry in enumerate(entries, start=1):
        if positions_intact and entry["position"] != index:
            problems.append(
                Problem(
                    ProblemKind.CHAIN,
                    entry["name"],
                    f"listed at position {entry['position']}, found at {index}: the files were reordered",
                )
            )
    for entry in entries:
        problems.extend(_file_problems(directory, entry, listed_hashes))
    for name in sorted(_files_on_disk(directory) - {e["name"] for e in entries}):
        problems.append(Problem(ProblemKind.ADDED, name, "in the pack, not in the manifest"))
    return Verification(tuple(problems), len(entries), manifest.get("head"))
