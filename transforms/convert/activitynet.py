"""ActivityNet Captions JSON -> manifest rows. Pure.

`{"v_QOlSCBRmfWY": {"duration": 82.73, "timestamps": [[0.83, 19.86], ...], "sentences": [...]}}`:
one video per key (its files are named by the key, `v_` + the YouTube id), times in seconds.
Each sentence becomes an annotation with `text`. A video with one bad timestamp is not
converted at all: an answer with an event left out would teach the model it did not happen.
"""
from __future__ import annotations

import json

from transforms.convert.shared import Conversion, ConvertError, ItemError, Settings, manifest_row, span

DEFAULT_PROMPT = "Describe every event in this video, each with its start and end as MM:SS."


def convert(data: bytes, source: str, settings: Settings) -> Conversion:
    out = Conversion()
    try:
        videos = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        out.fail(source, f"not an ActivityNet Captions JSON file: {err}")
        return out
    if not isinstance(videos, dict):
        out.fail(source, "not an ActivityNet Captions JSON file: expected an object of videos by id")
        return out
    for key, entry in videos.items():
        place = f"{source}: video {key!r}"
        try:
            out.rows.append(_video(key, entry, place, settings))
        except ItemError as err:
            out.fail(err.place, err.detail)
    return out


def _video(key: str, entry, place: str, settings: Settings) -> dict:
    if not isinstance(entry, dict):
        raise ItemError(place, "a video's entry is an object with `timestamps` and `sentences`")
    timestamps, sentences = entry.get("timestamps"), entry.get("sentences")
    for name, value in (("timestamps", timestamps), ("sentences", sentences)):
        if not isinstance(value, list):
            raise ItemError(place, f"`{name}` is missing or not a list")
    if len(timestamps) != len(sentences):
        raise ItemError(place, f"{len(timestamps)} timestamps but {len(sentences)} sentences: they go in pairs")
    annotations = []
    for i, (stamp, sentence) in enumerate(zip(timestamps, sentences)):
        if not isinstance(stamp, list) or len(stamp) != 2:
            raise ItemError(f"{place} timestamps[{i}]", f"{stamp!r} is not a [start, end] pair of seconds")
        if not isinstance(sentence, str) or not sentence.strip():
            raise ItemError(f"{place} sentences[{i}]", "the sentence is empty or not a string")
        start, end = span(stamp[0], stamp[1], "the event", f"{place} timestamps[{i}]")
        annotations.append({"start": start, "end": end, "text": sentence.strip()})
    names = [key, key[2:] if key.startswith("v_") else "v_" + key]
    uri = settings.videos.find(names)
    if isinstance(uri, ConvertError):
        raise ItemError(place, uri.detail)
    return manifest_row(f"activitynet-{key}", uri, settings.prompt or DEFAULT_PROMPT, annotations)
