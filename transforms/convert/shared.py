"""What every converter shares: the records of what could not be converted, with their place
in the input, and the lookup of the videos an export names. Pure: the CLI lists the files.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import posixpath
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".ts", ".mts", ".m2ts", ".mpg",
                    ".mpeg", ".flv", ".wmv", ".3gp", ".ogv")


@dataclasses.dataclass(frozen=True)
class ConvertError:
    """One item of the input that did not become a manifest row (or part of one), and why."""

    place: str    # where in the input: file and line, or the item's path and id in a JSON or XML export
    detail: str   # what is wrong, and how to fix it

    def text(self) -> str:
        return f"{self.place}: {self.detail}"


@dataclasses.dataclass
class Conversion:
    """Manifest rows (plain dicts, as JSONL lines) and the errors, in input order."""

    rows: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    errors: list[ConvertError] = dataclasses.field(default_factory=list)

    def fail(self, place: str, detail: str) -> None:
        self.errors.append(ConvertError(place, detail))

    def extend(self, other: "Conversion") -> None:
        self.rows.extend(other.rows)
        self.errors.extend(other.errors)


class ItemError(Exception):
    """Raised inside a converter for one item (a task, a track, a line): its row is not written."""

    def __init__(self, place: str, detail: str):
        super().__init__(f"{place}: {detail}")
        self.place = place
        self.detail = detail


@dataclasses.dataclass(frozen=True)
class Settings:
    videos: "VideoIndex"
    prompt: Optional[str] = None      # --prompt; each format has a default
    frame_rate: Optional[float] = None  # --frame_rate (label-studio)


def manifest_row(row_id: str, video_uri: str, prompt: str, annotations: Optional[list[dict]] = None,
                 **extra: Any) -> dict[str, Any]:
    """A manifest row as pipeline.run reads it; annotations sorted by where they start."""
    row: dict[str, Any] = {"id": row_id, "video_uri": video_uri, "prompt": prompt}
    if annotations is not None:
        row["annotations"] = sorted(annotations, key=_start_key)
    row.update({k: v for k, v in extra.items() if v is not None})
    return row


def _start_key(annotation: dict) -> tuple:
    first = annotation.get("start", annotation.get("start_frame", 0))
    last = annotation.get("end", annotation.get("end_frame", first))
    return (first, last)


def seconds(value: Any, what: str, place: str) -> float:
    """A number of seconds from a JSON value, or an ItemError that names it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ItemError(place, f"{what} is {value!r}, not a number of seconds")
    try:
        number = float(value)
    except ValueError:
        raise ItemError(place, f"{what} is {value!r}, not a number of seconds") from None
    if number != number or number < 0 or number == float("inf"):
        raise ItemError(place, f"{what} is {value!r}; times are seconds from 0")
    return round(number, 6)


def span(start: Any, end: Any, what: str, place: str) -> tuple[float, float]:
    first, last = seconds(start, f"{what} start", place), seconds(end, f"{what} end", place)
    if last < first:
        raise ItemError(place, f"{what} ends ({last}s) before it starts ({first}s)")
    return first, last


def _stem(name: str) -> str:
    base = posixpath.basename(name)
    root, ext = posixpath.splitext(base)
    return root if ext.lower() in VIDEO_EXTENSIONS else base


def is_uri_or_absolute(name: str) -> bool:
    return "://" in name or name.startswith("/")


class VideoIndex:
    """Where each video an export names is.

    `files`: every file under the `--videos` folder or prefix (URIs), with `root` that folder;
    `mapping`: the rows of a `--videos` CSV (`name` -> `video_uri`). A name is looked up as it
    is, then by its file name, then by its stem with the usual video extensions. Absolute paths
    and URIs that neither names are used as they are.
    """

    def __init__(self, root: str = "", files: Iterable[str] = (), mapping: Optional[Mapping[str, str]] = None):
        self.root = root.rstrip("/")
        self._mapping = dict(mapping or {})
        self._by_relative: dict[str, str] = {}
        self._by_base: dict[str, list[str]] = {}
        self._by_stem: dict[str, list[str]] = {}
        for uri in sorted(files):
            relative = uri[len(self.root) + 1:] if self.root and uri.startswith(self.root + "/") else uri
            self._by_relative[relative] = uri
            base = posixpath.basename(uri)
            self._by_base.setdefault(base, []).append(uri)
            if posixpath.splitext(base)[1].lower() in VIDEO_EXTENSIONS:
                self._by_stem.setdefault(_stem(base), []).append(uri)

    def find(self, names: Sequence[str], as_is: bool = True) -> Union[str, ConvertError]:
        """The URI of the first of `names` (the export's name, then other spellings of it) found.

        `as_is`: an absolute path or URI among the names may be used unchanged (False for the
        tools' own server paths, such as Label Studio's /data/upload/...). Returns the error
        (without its place) when none is found, or one matches several files.
        """
        names = [n for n in names if n]
        for name in names:
            for key in (name, posixpath.basename(name), _stem(name)):
                if key in self._mapping:
                    return self._mapping[key]
        for name in names:
            if as_is and is_uri_or_absolute(name):
                return name
            found = self._in_folder(name)
            if found:
                return found
        where = "the --videos CSV" if self._mapping else f"{self.root or 'the export folder'}"
        if any(len(self._by_base.get(posixpath.basename(n), ())) > 1 or len(self._by_stem.get(_stem(n), ())) > 1
               for n in names):
            many = sorted({u for n in names for u in self._by_base.get(posixpath.basename(n), [])
                           + self._by_stem.get(_stem(n), [])})
            return ConvertError("", f"video {names[0]!r} matches several files ({', '.join(many[:4])}); "
                                    "pass --videos with a CSV of name,video_uri")
        return ConvertError("", f"unknown video {names[0]!r}: not found in {where} (tried "
                                f"{', '.join(repr(n) for n in names)}, by path, file name and stem); "
                                "pass --videos with its folder, or a CSV of name,video_uri")

    def _in_folder(self, name: str) -> Optional[str]:
        relative = name.lstrip("/")
        if "://" not in name and relative in self._by_relative:
            return self._by_relative[relative]
        for table, key in ((self._by_base, posixpath.basename(name)), (self._by_stem, _stem(name))):
            matches = table.get(key, [])
            if len(matches) == 1:
                return matches[0]
        return None


def mapping_from_csv(text: str, csv_dir: str) -> dict[str, str]:
    """`name,video_uri` rows; a relative video_uri counts from the CSV's folder. ValueError when bad."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or not {"name", "video_uri"} <= set(reader.fieldnames):
        raise ValueError(f"the --videos CSV needs the columns name,video_uri (it has {reader.fieldnames})")
    mapping = {}
    for number, row in enumerate(reader, start=2):
        name, uri = (row.get("name") or "").strip(), (row.get("video_uri") or "").strip()
        if not name or not uri:
            raise ValueError(f"the --videos CSV line {number} has an empty name or video_uri")
        mapping[name] = uri if is_uri_or_absolute(uri) else posixpath.join(csv_dir, uri)
    return mapping
