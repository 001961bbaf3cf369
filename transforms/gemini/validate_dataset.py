"""Checks of an existing tuning dataset against a profile: per line, per video, per dataset. Pure.

`pipeline/validate.py` runs them as a Beam pipeline (probing each referenced video once, with
the pipeline's own probe) and prints the report (validation_report.py).
"""
from __future__ import annotations

import dataclasses
import json
import posixpath
from collections import Counter, defaultdict
from typing import Any, Mapping, Optional

from transforms.core.budget import example_tokens
from transforms.core.conversation import role_problem
from transforms.gemini import limits as L
from transforms.gemini.profiles import Profile, estimate, parse_resolution
from transforms.core.uris import is_absolute, resolve_uri
from transforms.core.timecode import TimeFormatError, parse_video_offset
from transforms.core.types import VideoInfo
from transforms.gemini.validation_report import ERROR, WARNING, Problem

# The ISO family: declaring one for another is harmless enough to warn, not fail.
_ISO_FAMILY = {"mp4", "quicktime", "3gpp"}
_LENGTH_TOLERANCE = 1.0  # as the pipeline's own: labelling tools round up


@dataclasses.dataclass(frozen=True)
class LineFacts:
    """What one well-formed line says; `row_id` and `location` let the pipeline's probe name it."""

    location: str
    file: str
    line_number: int
    video_uri: str
    mime_type: str
    start: Optional[float]
    end: Optional[float]
    fps: Optional[float]
    resolution: Optional[str]            # the video part's own level, else generationConfig's
    config_resolution: Optional[str]     # generationConfig's
    text_chars: int
    line_bytes: int
    more: tuple["LineFacts", ...] = ()   # the line's other video parts (Gemini 3 takes several)

    @property
    def videos(self) -> tuple["LineFacts", ...]:
        """Every video part of the line, in order."""
        return (self,) + self.more

    @property
    def row_id(self) -> str:
        return self.location


def _problem(code: str, location: str, detail: str, severity: str = ERROR) -> Problem:
    return Problem(severity, code, location, detail)


def check_line(path: str, number: int, text: str, profile: Profile) -> tuple[Optional[LineFacts], list[Problem]]:
    """The facts of a line (None when it cannot be used) and every problem found in it alone."""
    location = f"{path}:{number}"
    problems: list[Problem] = []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        return None, [_problem("not_json", location, f"not valid JSON: {err}")]
    if not isinstance(value, dict) or not isinstance(value.get("contents"), list) or not value["contents"]:
        return None, [_problem("schema", location, "a line must be an object with a non-empty `contents` list")]
    contents = value["contents"]
    roles = [c.get("role") if isinstance(c, dict) else None for c in contents]
    role_rule = role_problem(roles)  # as Google's dataset validator checked: user first, alternating, model last
    if role_rule:
        problems.append(_problem("roles", location, f"roles are {roles}: {role_rule}"))
    system_chars = _system_instruction_chars(value.get("systemInstruction"), location, problems)
    videos, texts = [], []
    for c_index, content in enumerate(contents):
        parts = content.get("parts") if isinstance(content, dict) else None
        if not isinstance(parts, list) or not parts:
            problems.append(_problem("schema", location, f"contents[{c_index}] has no `parts` list"))
            continue
        for p_index, part in enumerate(parts):
            if not isinstance(part, dict):
                problems.append(_problem("schema", location, f"contents[{c_index}].parts[{p_index}] is not an object"))
            elif "fileData" in part:
                videos.append((c_index, p_index, part))
            elif isinstance(part.get("text"), str):
                texts.append((c_index, p_index, part["text"]))
            else:
                problems.append(_problem("schema", location,
                                         f"contents[{c_index}].parts[{p_index}] is neither fileData nor text"))
        if isinstance(parts, list) and not any(isinstance(p, dict) and isinstance(p.get("text"), str)
                                               and p["text"].strip() for p in parts):
            problems.append(_problem("schema", location, f"contents[{c_index}] has no text; every turn needs its text"))
    if not videos or len(videos) > profile.videos_per_example:
        limit = profile.videos_per_example
        problems.append(_problem("videos_per_example", location,
                                 f"{len(videos)} videos; a {profile.name} tuning example takes "
                                 + ("exactly one" if limit == 1 else f"one to {limit}")
                                 + ("" if limit > 1 or len(videos) < 2 else
                                    " (give each video its own example, or validate with --profile gemini-3)")))
        return None, problems
    config = _object(value, "generationConfig", location, problems) or {}
    config_resolution = _resolution(config.get("mediaResolution"), "generationConfig.mediaResolution",
                                    location, problems)
    if not any(roles[tc] == "user" for tc, _, _ in texts):
        problems.append(_problem("schema", location, "the user's content has no text prompt"))
    text_chars = sum(len(t) for _, _, t in texts) + system_chars
    all_facts = []
    for c_index, p_index, part in videos:
        facts = _video_facts(path, number, text, part, config_resolution, text_chars, profile, problems)
        if facts is None:
            return None, problems
        if roles[c_index] != "user":
            problems.append(_problem("schema", location, "the video must be in the user's content"))
        if any(tc == c_index and tp < p_index for tc, tp, _ in texts):
            problems.append(_problem("video_after_text", location,
                                     "the video part comes after the text; place the video before the prompt"))
        all_facts.append(facts)
    return dataclasses.replace(all_facts[0], more=tuple(all_facts[1:])), problems


def _video_facts(path: str, number: int, text: str, part: Mapping[str, Any], config_resolution: Optional[str],
                 text_chars: int, profile: Profile, problems: list) -> Optional[LineFacts]:
    """The facts of one video part of a line (None when it cannot be used), its problems added."""
    location = f"{path}:{number}"
    file_data = _object(part, "fileData", location, problems)
    if file_data is None:
        return None
    uri, mime = file_data.get("fileUri"), file_data.get("mimeType")
    if not isinstance(uri, str) or not uri:
        problems.append(_problem("schema", location, "fileData has no fileUri"))
        return None
    if not is_absolute(uri):
        # Resolved below all the same (against the dataset's folder), so the video is still checked.
        problems.append(_problem("relative_uri", location,
                                 f"fileUri {uri!r} is relative; the tuning service reads only whole gs:// or "
                                 "https:// URIs: write the full URI (pipeline.run's --media_uri_prefix does)"))
    elif "://" not in uri:
        # A local dataset is fine for a look on this machine; the service will not find the file.
        problems.append(_problem("local_uri", location,
                                 f"fileUri {uri!r} is a local path; the tuning service reads only gs:// or "
                                 "https:// URIs: upload the media and write them (pipeline.run's "
                                 "--media_uri_prefix does)", WARNING))
    if not isinstance(mime, str) or mime not in L.VERTEX_VIDEO_MIMES:
        problems.append(_problem("mime_type", location,
                                 f"mimeType {mime!r} is not one Vertex AI accepts for video; use video/mp4 "
                                 "(remux or transcode the file with this pipeline's repair mode)"))
    metadata = _object(part, "videoMetadata", location, problems) or {}
    start = _offset(metadata, "startOffset", location, problems)
    end = _offset(metadata, "endOffset", location, problems)
    if start is not None and end is not None and end <= start:
        problems.append(_problem("segment", location, f"endOffset {end}s is not after startOffset {start}s"))
    fps = metadata.get("fps")
    if fps is not None and not (isinstance(fps, (int, float)) and not isinstance(fps, bool) and 0 < fps <= 24):
        problems.append(_problem("fps", location, f"videoMetadata.fps is {fps!r}; it must be in (0, 24]"))
        fps = None
    part_level = (part.get("mediaResolution") or {}).get("level") if isinstance(part.get("mediaResolution"),
                                                                                dict) else part.get("mediaResolution")
    part_resolution = _resolution(part_level, "the video part's mediaResolution", location, problems)
    if part_resolution and not profile.per_part_resolution:
        problems.append(_problem("media_resolution", location,
                                 f"{profile.name} takes mediaResolution only in generationConfig, the same on "
                                 "every line; remove the part's level, or validate with --profile gemini-3"))
    return LineFacts(
        location=location, file=path, line_number=number, video_uri=resolve_uri(uri, posixpath.dirname(path)),
        mime_type=mime or "", start=start, end=end, fps=float(fps) if fps is not None else None,
        resolution=part_resolution or config_resolution, config_resolution=config_resolution,
        text_chars=text_chars, line_bytes=len(text.encode("utf-8")) + 1)


def _system_instruction_chars(value: Any, location: str, problems: list) -> int:
    """The systemInstruction's text length (it counts towards the tokens); a problem when it is malformed."""
    if value is None:
        return 0
    parts = value.get("parts") if isinstance(value, dict) else None
    if not isinstance(parts, list) or not parts or not all(
            isinstance(p, dict) and set(p) == {"text"} and isinstance(p["text"], str) for p in parts):
        problems.append(_problem("system_instruction", location,
                                 'systemInstruction must be {"parts": [{"text": "..."}]}, with text parts only'))
        return 0
    return sum(len(p["text"]) for p in parts)


def _object(parent: Mapping[str, Any], name: str, location: str, problems: list) -> Optional[Mapping[str, Any]]:
    """parent[name] when it is an object ({} when absent); None, with a problem, when it is not."""
    value = parent.get(name)
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        problems.append(_problem("schema", location, f"`{name}` is a JSON {type(value).__name__}, not an object"))
        return None
    return value


def _offset(metadata: Mapping[str, Any], name: str, location: str, problems: list) -> Optional[float]:
    value = metadata.get(name)
    # JSON spells a Duration as a string with an "s": a bare clock or the proto's dict form fails.
    if isinstance(value, dict) or (isinstance(value, str) and value and not value.strip().endswith("s")):
        problems.append(_problem("segment", location,
                                 f"videoMetadata.{name} is {value!r}; write a Duration such as \"12.5s\""))
        return None
    try:
        return parse_video_offset(value)
    except TimeFormatError as err:
        problems.append(_problem("segment", location, f"videoMetadata.{name}: {err}"))
        return None


def _resolution(value: Any, what: str, location: str, problems: list) -> Optional[str]:
    if value in (None, ""):
        return None
    parsed = parse_resolution(value)
    if parsed is None or not str(value).upper().startswith("MEDIA_RESOLUTION_"):
        problems.append(_problem("media_resolution", location,
                                 f"{what} is {value!r}; use MEDIA_RESOLUTION_LOW, _MEDIUM or _HIGH"))
        return None
    return parsed


def check_against_videos(facts: LineFacts, infos: Mapping[str, VideoInfo], profile: Profile,
                         default_resolution: str) -> list[Problem]:
    """Each probed video part of the line on its own, and the tokens of all its parts together."""
    if not facts.more:
        return check_against_video(facts, infos[facts.video_uri], profile, default_resolution) \
            if facts.video_uri in infos else []
    problems = [p for part in facts.videos if part.video_uri in infos
                for p in check_against_video(part, infos[part.video_uri], profile, default_resolution, tokens=False)]
    if all(part.video_uri in infos for part in facts.videos):
        videos = []
        for part in facts.videos:
            info = infos[part.video_uri]
            start, end = part.start or 0.0, min(part.end if part.end is not None else info.duration, info.duration)
            videos.append((max(end - start, 0.0), info.has_audio, part.resolution or default_resolution))
        # The fps of the first part: the pipeline writes one --fps on every part.
        tokens = example_tokens(profile, videos, "x" * facts.text_chars, facts.fps)
        if tokens > profile.max_example_tokens:
            problems.append(_problem("over_token_budget", facts.location,
                                     f"about {tokens:,} tokens over its {len(videos)} videos, over the "
                                     f"{profile.max_example_tokens:,} per example; use fewer or shorter videos, "
                                     "lower fps, or LOW"))
    return problems


def check_against_video(facts: LineFacts, info: VideoInfo, profile: Profile,
                        default_resolution: str, tokens: bool = True) -> list[Problem]:
    """What the probed video says about the line: MIME, size, the segment, length, tokens
    (`tokens`=False: a part of several, whose tokens are counted together)."""
    problems = []
    location = facts.location
    truthful = set(L.CONTAINER_MIMES.get(info.container, ()))
    if facts.mime_type and facts.mime_type not in truthful:
        family = info.container in _ISO_FAMILY and facts.mime_type in {"video/mp4", "video/quicktime", "video/3gpp"}
        problems.append(_problem(
            "mime_mismatch", location,
            f"declared {facts.mime_type} but the file is {info.container} ({info.video_codec}); "
            + ("declare " + "/".join(sorted(truthful)) if truthful else "remux it to MP4"),
            WARNING if family else ERROR))
    if info.container not in L.ACCEPTED_CONTAINERS or info.video_codec not in L.ACCEPTED_VIDEO_CODECS:
        problems.append(_problem("container", location,
                                 f"{info.container} with {info.video_codec} video is not a format we can vouch "
                                 "the service reads; remux or transcode to MP4/H.264 (repair mode does)",
                                 WARNING))
    if info.size_bytes > profile.max_file_bytes:
        problems.append(_problem("file_too_large", location,
                                 f"the video is {info.size_bytes:,} bytes, over {profile.max_file_bytes:,}; "
                                 "run this dataset through the pipeline's repair mode to cut or transcode it"))
    start = facts.start or 0.0
    end = facts.end if facts.end is not None else info.duration
    if start >= info.duration:
        problems.append(_problem("segment_out_of_range", location,
                                 f"startOffset {start}s is past the end of the {info.duration:.3f}s video"))
        return problems
    if end > info.duration + _LENGTH_TOLERANCE:
        problems.append(_problem("segment_out_of_range", location,
                                 f"endOffset {end}s is past the end of the {info.duration:.3f}s video"))
    end = min(end, info.duration)
    resolution = facts.resolution or default_resolution
    limit = profile.clip_seconds(resolution)
    if end - start > limit:
        problems.append(_problem("too_long", location,
                                 f"the example's video is {end - start:.1f}s, over {limit:.0f}s at {resolution} "
                                 "(the service drops such examples); use LOW, a shorter segment, or repair mode "
                                 "to chunk it"))
    if not tokens:
        return problems
    tokens = estimate(profile, end - start, info.has_audio, resolution, "x" * facts.text_chars, facts.fps).total
    if tokens > profile.max_example_tokens:
        problems.append(_problem("over_token_budget", location,
                                 f"about {tokens:,} tokens, over the {profile.max_example_tokens:,} per example; "
                                 "shorten the segment, lower fps, or use LOW"))
    return problems


@dataclasses.dataclass
class DatasetFacts:
    """What the dataset-level checks need, merged from every line."""

    examples: Counter = dataclasses.field(default_factory=Counter)   # by file
    bytes: Counter = dataclasses.field(default_factory=Counter)      # by file
    resolutions: dict = dataclasses.field(default_factory=lambda: defaultdict(list))  # value -> first locations

    def add(self, facts: LineFacts) -> "DatasetFacts":
        self.examples[facts.file] += 1
        self.bytes[facts.file] += facts.line_bytes
        locations = self.resolutions[facts.config_resolution or "(none)"]
        if len(locations) < 3:
            locations.append(facts.location)
        return self

    def merge(self, other: "DatasetFacts") -> "DatasetFacts":
        self.examples.update(other.examples)
        self.bytes.update(other.bytes)
        for key, locations in other.resolutions.items():
            self.resolutions[key] = sorted(self.resolutions[key] + locations)[:3]
        return self


def is_validation_file(path: str) -> bool:
    name = posixpath.basename(path).lower()
    return "validation" in name or name.startswith(("val.", "valid.", "val-", "valid-"))


def check_dataset(facts: DatasetFacts, profile: Profile) -> list[Problem]:
    problems = []
    for path in sorted(facts.examples):
        if is_validation_file(path):
            if facts.examples[path] > profile.max_validation_examples:
                problems.append(_problem("validation_too_large", path,
                                         f"{facts.examples[path]:,} validation examples, over "
                                         f"{profile.max_validation_examples:,}; move the excess to training"))
        elif facts.bytes[path] > profile.max_training_file_bytes:
            problems.append(_problem("training_file_too_large", path,
                                     f"{facts.bytes[path]:,} bytes, over the {profile.max_training_file_bytes:,} a "
                                     "training file may be; split the dataset"))
    total = sum(facts.examples.values())
    if total > profile.max_examples:
        problems.append(_problem("too_many_examples", "(dataset)",
                                 f"{total:,} examples, over the {profile.max_examples:,} a job accepts"))
    values = sorted(facts.resolutions)
    if not profile.per_part_resolution and len(values) > 1:
        where = "; ".join(f"{v} at {', '.join(facts.resolutions[v])}" for v in values)
        problems.append(_problem("mixed_media_resolution", "(dataset)",
                                 f"{profile.name} needs the same generationConfig.mediaResolution on every line, "
                                 f"found {len(values)}: {where}; make them one (or use --profile gemini-3)"))
    return problems
