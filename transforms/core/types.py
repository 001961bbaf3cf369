"""The elements that flow between stages.

pydantic at the edges (manifest rows in); small frozen dataclasses inside. Everything here
pickles, and every key built from these is a plain string so that Beam encodes it
deterministically.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any, Optional

import pydantic


class Stage(str, enum.Enum):
    READ = "read"
    PROBE = "probe"
    PLAN = "plan"
    CUT = "cut"
    BUILD = "build"


class DropReason(str, enum.Enum):
    """Why a row or a clip was dropped. The README documents every code and its fix."""

    # read
    UNREADABLE_MANIFEST = "unreadable_manifest"
    MALFORMED_ROW = "malformed_row"
    MISSING_FIELD = "missing_field"
    BAD_TIME = "bad_time"
    BAD_RANGE = "bad_range"
    DUPLICATE_ID = "duplicate_id"
    NO_TARGET = "no_target"
    AMBIGUOUS_TARGET = "ambiguous_target"
    TOO_MANY_VIDEOS = "too_many_videos"          # more `video_uris` than the profile's videos_per_example
    # probe
    SOURCE_NOT_FOUND = "source_not_found"
    UNSUPPORTED_URI = "unsupported_uri"
    UNREADABLE_MEDIA = "unreadable_media"
    NO_VIDEO_STREAM = "no_video_stream"
    PROBE_TIMEOUT = "probe_timeout"
    PROBE_CRASHED = "probe_crashed"
    HOSTILE_MEDIA = "hostile_media"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNSUPPORTED_CODEC = "unsupported_codec"
    BAD_FRAME_SIZE = "bad_frame_size"
    IMPLAUSIBLE_DURATION = "implausible_duration"
    TOO_MANY_STREAMS = "too_many_streams"
    # probe: remote (http/https) sources
    REMOTE_REFUSED = "remote_refused"
    REMOTE_HTTP_ERROR = "remote_http_error"
    REMOTE_UNAVAILABLE = "remote_unavailable"
    REMOTE_TOO_LARGE = "remote_too_large"
    # plan
    SEGMENT_OUT_OF_RANGE = "segment_out_of_range"
    ANNOTATION_OUT_OF_RANGE = "annotation_out_of_range"
    FRAME_OUT_OF_RANGE = "frame_out_of_range"
    TOO_LONG_FOR_RESPONSE = "too_long_for_response"
    OVER_SIZE_LIMIT = "over_size_limit"          # --oversize drop (or the row's `oversize: drop`)
    VIDEO_NEEDS_SEVERAL_CLIPS = "video_needs_several_clips"  # a video of a several-video row
    # cut
    CUT_FAILED = "cut_failed"
    CLIP_OVER_LIMIT = "clip_over_limit"
    # build
    CLIP_LOST = "clip_lost"
    ANNOTATION_LOST = "annotation_lost"
    ANSWER_NOT_SPLITTABLE = "answer_not_splittable"
    # profiles and the token budget (plan, build)
    MEDIA_RESOLUTION_MISMATCH = "media_resolution_mismatch"
    OVER_TOKEN_BUDGET = "over_token_budget"


class Action(str, enum.Enum):
    """What was done to a source to make one clip; cheapest first."""

    COPY = "copy"            # the source complies: copied byte for byte
    REMUX = "remux"          # whole source, streams copied into MP4
    CUT = "cut"              # a stream-copied piece of the source, cut on keyframes
    TRANSCODE = "transcode"  # re-encoded to H.264/AAC MP4 (whole source or a piece of it)
    VIRTUAL = "virtual"      # --segments virtual: the copied source, with videoMetadata offsets


class TranscodeCause(str, enum.Enum):
    """Why (part of) a clip was re-encoded; stats.json counts clips by each."""

    SIZE = "size"              # over the size limit as it is
    CODEC = "codec"            # a codec, profile, bit depth or chroma that common decoders may not play
    ROTATION = "rotation"      # rotation metadata, baked in
    INTERLACE = "interlace"    # interlaced: deinterlaced
    ASPECT = "aspect"          # non-square pixels: made square
    HDR = "hdr"                # PQ or HLG: converted to SDR BT.709
    KEYFRAMES = "keyframes"    # keyframes too sparse to cut on
    AUDIO = "audio"            # the sound alone: a codec or layout MP4 or the service needs as AAC


@dataclasses.dataclass(frozen=True)
class Drop:
    """A record of something that will not reach the dataset, and why.

    `kind` is "row" when a manifest row is lost (these count towards the drop rate) and
    "clip" when one clip failed (the row it belonged to gets its own "row" drop).
    """

    row_id: str
    source_uri: str
    stage: Stage
    reason: DropReason
    detail: str
    kind: str = "row"
    location: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "row_id": self.row_id,
            "source_uri": self.source_uri,
            "stage": self.stage.value,
            "reason": self.reason.value,
            "detail": self.detail,
            "kind": self.kind,
            "location": self.location,
        }


class Annotation(pydantic.BaseModel):
    """One timed annotation, in seconds of the timeline it belongs to.

    `fields` keeps everything else the user wrote (`label`, `text`, ...) untouched.
    `start_frame` / `end_frame`: the row gave decoded-frame indices instead of `start` / `end`;
    the plan stage turns them into times from the probe's frame timestamps (core/frames.py),
    and until then the time they stand for is 0.
    """

    model_config = pydantic.ConfigDict(frozen=True)

    start: float
    end: Optional[float] = None
    fields: dict[str, Any] = pydantic.Field(default_factory=dict)
    start_frame: Optional[int] = None
    end_frame: Optional[int] = None

    @property
    def uses_frames(self) -> bool:
        return self.start_frame is not None or self.end_frame is not None


class ManifestRow(pydantic.BaseModel):
    """A manifest row that parsed: one training task on one video, or on several (`videos`).

    A row with several videos is planned as one "part row" per video (transforms/core/video_parts.py):
    each has the row's id and location, `part_index`/`part_count`, and `video_uri` its own video.
    """

    model_config = pydantic.ConfigDict(frozen=True)

    row_id: str
    video_uri: str
    prompt: str
    annotations: Optional[tuple[Annotation, ...]] = None  # None: a whole-video `response` task
    response: Optional[str] = None
    start: Optional[float] = None
    end: Optional[float] = None
    split: Optional[str] = None
    location: str = ""
    # LOW/MEDIUM/HIGH when the row asks for its own (Gemini 3+ may mix them; 2.5 may not).
    media_resolution: Optional[str] = None
    fps: Optional[float] = None  # videoMetadata.fps of a repaired example
    # Repair mode: the original answer with its timestamps marked (transforms/core/repair.py).
    answer_template: Optional[str] = None
    # How a source over the size limit is brought under it (transcode/split/drop); None: --oversize.
    oversize: Optional[str] = None
    system_instruction: Optional[str] = None  # None: --system_instruction (or none)
    # More turns after the first answer: (role, text) pairs, alternating, the last the model's.
    turns: tuple[tuple[str, str], ...] = ()
    # `video_uris` of a row with several videos: (uri, its own resolution or None), in order;
    # `video_uri` is then the first of them. Empty for a one-video row.
    videos: tuple[tuple[str, Optional[str]], ...] = ()
    part_index: Optional[int] = None  # a part row: which of its row's videos this is (0-based)
    part_count: int = 0               # a part row: how many videos its row has

    @property
    def uses_frames(self) -> bool:
        """Some annotation is in frame numbers: the probe must record every frame's time."""
        return any(a.uses_frames for a in self.annotations or ())

    @property
    def segment_key(self) -> str:
        """The part of the source this row uses; rows with the same key share their clips."""
        start = "" if self.start is None else repr(self.start)
        end = "" if self.end is None else repr(self.end)
        key = f"{self.video_uri}|{start}|{end}"
        # Another resolution means other length limits, so other clips.
        key = key + f"|{self.media_resolution}" if self.media_resolution else key
        # Another way of meeting the size limit means other clips too.
        return key + f"|oversize={self.oversize}" if self.oversize else key


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    """What probing a source found. Times are seconds since the first video frame."""

    uri: str
    size_bytes: int
    container: str               # our name: mp4, quicktime, 3gpp, webm, matroska, avi, mpegts, ...
    duration: float              # first video frame to the end of the last one
    video_codec: str
    width: int
    height: int
    fps: float
    rotation: int                # degrees a player turns the picture
    has_audio: bool
    audio_codec: str
    input_offset: float          # add to a timeline time to get ffmpeg's `-ss` for this file
    keyframes: tuple[float, ...] = ()
    identity: str = ""           # size and mtime (local) or generation (GCS): names outputs
    decode_lead: float = 0.0     # seconds a keyframe's decode time precedes its display time
    # plain, trimmed, delayed, edited or offset (transforms/media/timeline_probe.py): only a plain
    # source means the same times to every reader when copied as it is.
    timeline: str = "plain"
    audio_lag: float = 0.0       # seconds the sound starts after the first frame (padded in outputs)
    # Every frame's time as runs (first, step, count): transforms/core/frame_runs.py.
    frame_runs: tuple[tuple[float, float, int], ...] = ()
    keyframe_leads: tuple[float, ...] = ()  # each keyframe's own decode lead, beside `keyframes`
    # The picture (transforms/media/probe_picture.py); the defaults are what a plain H.264 file has.
    video_index: int = 0         # which video stream (cover art may come first)
    video_profile: str = ""      # as FFmpeg names it: "High", "High 4:4:4 Predictive", "Main 10", ...
    pix_fmt: str = "yuv420p"
    bit_depth: int = 8
    chroma: str = "4:2:0"        # 4:2:0, 4:2:2, 4:4:4, 4:1:1, 4:0:0 or rgb
    interlaced: bool = False     # field order tt/bb/tb/bt, or the first frame is coded interlaced
    sar: tuple[int, int] = (1, 1)  # pixel (sample) aspect ratio: display width = width * sar
    color_transfer: str = ""     # smpte2084 (PQ) and arib-std-b67 (HLG) are HDR
    color_primaries: str = ""
    # The sound: the track a player plays (the default one, else the first), and what else is there.
    audio_index: int = 0         # among the audio streams
    audio_streams: int = 0
    audio_channels: int = 0
    audio_sample_rate: int = 0
    other_streams: tuple[str, ...] = ()  # kinds of the streams no output keeps: subtitle, data, ...
    # Bytes of video packets before each keyframe (parallel to `keyframes`; empty when unknown):
    # where stream-copied pieces can be cut by size (--oversize split).
    keyframe_bytes: tuple[int, ...] = ()
    video_bytes: int = 0         # all video packets' bytes (the rest of the file: audio and boxes)
    # Every frame's presentation time, when some row counts in frames (the plan stage strips it).
    frame_times: Optional["FrameTimes"] = None


@dataclasses.dataclass(frozen=True)
class FrameTimes:
    """Every video frame's presentation time, run-length encoded (core/frames.py reads it).

    Frame 0 is the first frame a player shows, at `first_pts`; each run says that the next
    `count` frames each come `step` time-base units after the one before. A constant-rate
    video is one run, whatever its length; a variable-rate one a run per change of rate.
    """

    time_base: tuple[int, int]         # numerator, denominator: seconds per pts unit
    first_pts: int
    runs: tuple[tuple[int, int], ...]  # (step, count)
    origin: float                      # seconds of pts that are the timeline's 0 (its first frame)
    end: float                         # timeline seconds at which the last frame ends


@dataclasses.dataclass(frozen=True)
class TranscodeSettings:
    video_bitrate: int           # bits per second
    audio_bitrate: int
    height: int                  # output height; the width follows the aspect ratio
    fps_cap: Optional[float]     # None: the source rate is kept
    # > 0: the source's AAC sound is copied, not encoded at `audio_bitrate`; its bits a second
    # (counted in the size budget instead).
    copied_audio_bitrate: int = 0


@dataclasses.dataclass(frozen=True)
class ClipSpec:
    """One clip to make: the piece [start, end) of a source timeline and how to make it."""

    source: VideoInfo            # keyframes and frame runs stripped: the cut needs neither
    segment_key: str
    clip_index: int
    clip_count: int
    start: float
    end: float
    action: Action
    transcode: TranscodeSettings  # used by TRANSCODE, and as the fallback of a too-large copy
    media_name: str              # deterministic: source identity + plan + encoder settings
    # A stream copy ending on a keyframe: that keyframe's decode lead (None: the source's largest).
    end_lead: Optional[float] = None
    # `start` is a real frame's time (the planner read every frame's time), so a decoding cut
    # starts exactly there; False only for a source probed without its frame times.
    start_on_frame: bool = False
    causes: tuple[TranscodeCause, ...] = ()  # why TRANSCODE re-encodes, or why a copy re-encodes its audio
    note: str = ""               # why the clip is made the way it is, when that is not the obvious way

    @property
    def clip_key(self) -> str:
        return f"{self.segment_key}#{self.clip_index}"


@dataclasses.dataclass(frozen=True)
class CutClip:
    """A clip that exists, with the part of the source timeline it really covers."""

    spec: ClipSpec
    file_uri: str
    mime_type: str
    source_start: float          # measured: where the clip's first frame sits in the source
    source_end: float
    duration: float
    bytes: int
    action: Action               # may differ from the plan (a copy that had to be transcoded)
    has_audio: bool
    reused: bool = False         # made by an earlier run or attempt: no ffmpeg ran this time
    source_bytes_downloaded: int = 0  # the source's download, on the first clip made from it
    note: str = ""               # the plan's note, or why the cut changed the plan (a copy over the size limit)

    @property
    def causes(self) -> tuple[TranscodeCause, ...]:
        """Why this clip was re-encoded, in whole or in its audio (empty for a plain copy)."""
        if self.action in (Action.COPY, Action.VIRTUAL):
            return ()
        if self.action is Action.TRANSCODE and self.spec.action is not Action.TRANSCODE:
            # A stream copy that came out over the size limit, encoded again.
            return (TranscodeCause.SIZE,) + tuple(c for c in self.spec.causes if c is not TranscodeCause.SIZE)
        return self.spec.causes


@dataclasses.dataclass(frozen=True)
class RowPlan:
    """A row that passed planning, and how many clips of its segment it waits for."""

    row: ManifestRow
    clip_count: int
    has_audio: bool


@dataclasses.dataclass(frozen=True)
class Example:
    """One tuning example: its JSONL line and its index row.

    An example of several videos has one index row per video: `index` is the first video's (the
    statistics read it, once per example), `more_index` the others'.
    """

    split: str
    sort_key: str
    line: str
    index: dict[str, Any]
    more_index: tuple[dict[str, Any], ...] = ()

    @property
    def index_rows(self) -> tuple[dict[str, Any], ...]:
        return (self.index,) + self.more_index


@dataclasses.dataclass(frozen=True)
class BuiltPart:
    """One video of an example of several videos, cut and ready to be put in the example."""

    part_index: int
    clip: CutClip
    file_uri: str               # as the example names it (under --media_uri_prefix)
    resolution: str             # the part's own, else the dataset's
    index: dict[str, Any]       # its index row; est_tokens and line_sha1 are the whole example's


@dataclasses.dataclass(frozen=True)
class SourceRecord:
    """One probed source, for the statistics."""

    uri: str
    seconds: float
    bytes: int
    probe_reused: bool = False   # found in the probe cache: the source was not read this time
    probe_bytes_read: int = 0    # what probing read of the source (an MP4's header, not its payload)
