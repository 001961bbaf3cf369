"""YouCook2 annotations JSON -> manifest rows. Pure.

`{"database": {"GLGh_9UJvNo": {"subset": "training", "recipe_type": "113", "duration": 241.6,
"annotations": [{"id": 0, "segment": [90, 102], "sentence": "melt butter"}, ...]}}}`:
times in seconds. The dataset's own split (`training`, `validation`) is kept as the row's
`split`; its test videos have no public annotations and are reported. Videos are looked up by
id, and by the dataset's `raw_videos/<subset>/<recipe_type>/<id>` layout.
"""
from __future__ import annotations

import json

from transforms.convert.shared import Conversion, ConvertError, ItemError, Settings, manifest_row, span

DEFAULT_PROMPT = "List every step of the recipe in this video, each with its start and end as MM:SS."
_SPLITS = {"training": "train", "validation": "validation"}


def convert(data: bytes, source: str, settings: Settings) -> Conversion:
    out = Conversion()
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        out.fail(source, f"not a YouCook2 annotations JSON file: {err}")
        return out
    database = document.get("database") if isinstance(document, dict) else None
    if not isinstance(database, dict):
        out.fail(source, "not a YouCook2 annotations JSON file: no `database` object of videos")
        return out
    for key, entry in database.items():
        place = f"{source}: database {key!r}"
        try:
            out.rows.append(_video(key, entry, place, settings))
        except ItemError as err:
            out.fail(err.place, err.detail)
    return out


def _video(key: str, entry, place: str, settings: Settings) -> dict:
    if not isinstance(entry, dict):
        raise ItemError(place, "a video's entry is an object with `annotations`")
    subset = entry.get("subset")
    annotations = entry.get("annotations")
    if annotations is None:
        hint = " (YouCook2's test annotations are not public)" if subset == "testing" else ""
        raise ItemError(place, f"the video has no `annotations`{hint}")
    if not isinstance(annotations, list):
        raise ItemError(place, "`annotations` is not a list")
    events = []
    for i, item in enumerate(annotations):
        item_place = f"{place} annotations[{i}]"
        if not isinstance(item, dict):
            raise ItemError(item_place, "an annotation is an object with `segment` and `sentence`")
        segment, sentence = item.get("segment"), item.get("sentence")
        if not isinstance(segment, list) or len(segment) != 2:
            raise ItemError(item_place, f"`segment` is {segment!r}, not a [start, end] pair of seconds")
        if not isinstance(sentence, str) or not sentence.strip():
            raise ItemError(item_place, "`sentence` is missing or empty")
        start, end = span(segment[0], segment[1], "the segment", item_place)
        events.append({"start": start, "end": end, "text": sentence.strip()})
    recipe = str(entry.get("recipe_type", ""))
    names = [key] + ([f"{subset}/{recipe}/{key}", f"{recipe}/{key}"] if subset and recipe else [])
    uri = settings.videos.find(names)
    if isinstance(uri, ConvertError):
        raise ItemError(place, uri.detail)
    return manifest_row(f"youcook2-{key}", uri, settings.prompt or DEFAULT_PROMPT, events,
                        split=_SPLITS.get(subset))
