"""Tuning examples: the JSONL line for a clip and a row, its split, its token estimate. Pure."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Optional, Sequence

from transforms.core.conversation import system_instruction_part
from transforms.gemini.profiles import GEMINI_25, Profile, estimate, resolution_enum
from transforms.core.timecode import format_clock, format_duration
from transforms.core.types import Annotation



def annotation_answer(annotations: Sequence[Annotation], decimals: int = 0) -> str:
    """The model's answer for a clip: its annotations as a JSON array in a ```json fence.

    Each keeps its own fields; `start`/`end` become clip-relative `MM:SS`.
    """
    items = []
    for ann in annotations:
        item: dict[str, Any] = {"start": format_clock(ann.start, decimals)}
        if ann.end is not None:
            item["end"] = format_clock(ann.end, decimals)
        item.update({k: v for k, v in ann.fields.items() if k not in item})
        items.append(item)
    return "```json\n" + json.dumps(items, ensure_ascii=False) + "\n```"


def example_line(file_uri: str, mime_type: str, prompt: str, answer: str, media_resolution: str,
                 fps: Optional[float] = None, part_resolution: Optional[str] = None,
                 offsets: Optional[tuple[float, float]] = None, system_instruction: Optional[str] = None,
                 turns: Sequence[tuple[str, str]] = ()) -> str:
    """One JSONL line as the tuning service reads it: video part first, then the prompt.

    `fps` writes `videoMetadata.fps`; `part_resolution` (Gemini 3+) the video part's own level;
    `offsets` (start, end) in seconds of the file: the part the example uses (videoMetadata);
    `system_instruction` the example's `systemInstruction`; `turns` (role, text) pairs that follow
    the first answer, in order.
    """
    return videos_line([video_part(file_uri, mime_type, fps, part_resolution, offsets)], prompt, answer,
                       media_resolution, system_instruction, turns)


def video_part(file_uri: str, mime_type: str, fps: Optional[float] = None,
               part_resolution: Optional[str] = None,
               offsets: Optional[tuple[float, float]] = None) -> dict[str, Any]:
    """One video part: fileData, its videoMetadata (offsets, fps) and (Gemini 3+) its own mediaResolution."""
    part: dict[str, Any] = {"fileData": {"fileUri": file_uri, "mimeType": mime_type}}
    metadata: dict[str, Any] = {}
    if offsets is not None:
        metadata.update(startOffset=format_duration(offsets[0]), endOffset=format_duration(offsets[1]))
    if fps is not None:
        metadata["fps"] = fps
    if metadata:
        part["videoMetadata"] = metadata
    if part_resolution is not None:
        part["mediaResolution"] = {"level": resolution_enum(part_resolution)}
    return part


def videos_line(videos: Sequence[dict[str, Any]], prompt: str, answer: str, media_resolution: str,
                system_instruction: Optional[str] = None, turns: Sequence[tuple[str, str]] = ()) -> str:
    """An example of one or several video parts (`video_part`), all before the prompt, in order."""
    example = {
        "contents": [
            {"role": "user", "parts": [*videos, {"text": prompt}]},
            {"role": "model", "parts": [{"text": answer}]},
            *({"role": role, "parts": [{"text": text}]} for role, text in turns),
        ],
        "generationConfig": {"mediaResolution": resolution_enum(media_resolution)},
    }
    if system_instruction is not None:
        example["systemInstruction"] = system_instruction_part(system_instruction)
    return json.dumps(example, ensure_ascii=False, separators=(",", ":"))


def line_sha1(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8")).hexdigest()


def estimate_tokens(seconds: float, has_audio: bool, media_resolution: str, text: str,
                    fps: float = GEMINI_25.default_fps, profile: Profile = GEMINI_25) -> int:
    """Frames x tokens per frame (+ timestamps), audio per second, and text at ~4 characters a token."""
    return estimate(profile, seconds, has_audio, media_resolution, text, fps).total


def assign_split(source_uri: str, explicit: Optional[str], validation_fraction: float) -> str:
    """A row's own split wins; else a hash of the source video, so one video never straddles splits."""
    if explicit:
        return explicit
    bucket = int(hashlib.sha1(source_uri.encode("utf-8")).hexdigest()[:8], 16) / 0x1_0000_0000
    return "validation" if bucket < validation_fraction else "train"


def public_uri(file_uri: str, media_dir: str, media_uri_prefix: Optional[str]) -> str:
    """The URI the tuning service is told: under --media_uri_prefix when the media will be uploaded."""
    if not media_uri_prefix:
        return file_uri
    relative = file_uri[len(media_dir):].lstrip("/")
    return media_uri_prefix.rstrip("/") + "/" + relative
