"""The tuning service's limits, as data. Numbers from ../shared/GEMINI-VIDEO-TUNING.md.

Every value is a default that a flag can override: Google changes them.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from transforms.gemini.profiles import GEMINI_25, RESOLUTIONS, Profile

# What Vertex AI accepts for video (GEMINI-VIDEO-TUNING.md), and the Gemini API's extra names.
VERTEX_VIDEO_MIMES = frozenset({"video/x-flv", "video/quicktime", "video/mpeg", "video/mpegs", "video/mpegps",
                                "video/mpg", "video/mp4", "video/webm", "video/wmv", "video/3gpp"})
# Our container names (video_info.container_name) and the MIME types that truthfully describe them;
# the first is the one we declare. The one table of containers and MIME types.
CONTAINER_MIMES = {
    "mp4": ("video/mp4",),
    "quicktime": ("video/quicktime", "video/mov"),
    "3gpp": ("video/3gpp",),
    "webm": ("video/webm",),
    "flv": ("video/x-flv",),
    "mpeg": ("video/mpeg", "video/mpegs", "video/mpegps", "video/mpg"),
    "asf": ("video/wmv",),
    "avi": ("video/avi",),
}
# Containers the tuning service takes as they are, with the MIME type we declare.
# Vertex AI also lists FLV, MPEG-PS and WMV, but the codecs those usually carry (FLV1, MPEG-2,
# WMV3) are not ones we can vouch for, so such sources are remuxed or transcoded to MP4.
ACCEPTED_CONTAINERS = {name: CONTAINER_MIMES[name][0] for name in ("mp4", "quicktime", "3gpp", "webm")}
ACCEPTED_VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1"})
ACCEPTED_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "vorbis"})
# What MP4 carries when we copy streams into it (VP8 and Vorbis it does not).
MP4_VIDEO_CODECS = frozenset({"h264", "hevc", "vp9", "av1"})
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "opus"})
# A codec name is not enough: H.264 may be 4:4:4 or 10-bit, HEVC 10-bit, and browsers and the
# tuning service's decoder are only sure to play 8-bit 4:2:0 in these profiles (FFmpeg's names;
# "" when FFmpeg reports none). Anything else is transcoded to 8-bit 4:2:0 H.264 (README table).
PLAYABLE_PROFILES = {
    "h264": frozenset({"Constrained Baseline", "Baseline", "Main", "High", "Progressive High",
                       "Constrained High", ""}),
    "hevc": frozenset({"Main", ""}),
    "vp8": frozenset({""}),
    "vp9": frozenset({"Profile 0", ""}),
    "av1": frozenset({"Main", ""}),
}
PLAYABLE_PIXEL_FORMATS = frozenset({"yuv420p", "yuvj420p"})  # 8-bit 4:2:0 (limited or full range)
HDR_TRANSFERS = frozenset({"smpte2084", "arib-std-b67"})  # PQ and HLG
# Pixels this close to square (1%) show the same picture as square ones: no transcode for them.
SQUARE_PIXEL_TOLERANCE = 0.01
# At most this many audio channels are copied; more are mixed down to stereo AAC.
MAX_COPIED_AUDIO_CHANNELS = 2
# The AAC encoder takes up to 96 kHz; 48 kHz is what video carries (higher rates are resampled).
MAX_AUDIO_SAMPLE_RATE = 48_000

OUTPUT_MIME = "video/mp4"


@dataclasses.dataclass(frozen=True)
class Limits:
    """What every clip must satisfy, and the knobs the planner uses to get there."""

    media_resolution: str = "LOW"
    max_file_bytes: int = 100_000_000
    max_clip_seconds: float = 1200.0
    # Clips are planned this much shorter than the limit: the service measures length its own
    # way (audio may run a little past the last frame).
    length_margin_seconds: float = 1.0
    # Transcodes aim at this share of max_file_bytes, leaving room for container overhead and
    # the encoder's rate-control error; the written size is verified anyway.
    size_target_ratio: float = 0.9
    max_height: int = 480
    audio_bitrate: int = 64_000
    # The highest frame rate a transcode writes (--max_output_fps); None keeps the source rate.
    fps_cap: Optional[float] = None
    # A tolerance for annotations that end a little past the video (labelling tools round up).
    annotation_tolerance_seconds: float = 1.0
    # What to do with a source whose copied clips would be over max_file_bytes (--oversize):
    # transcode (smaller picture), split (stream-copied pieces) or drop (a drop record).
    oversize: str = "transcode"

    @property
    def planned_clip_seconds(self) -> float:
        return self.max_clip_seconds - self.length_margin_seconds


def default_limits(
    media_resolution: str = "LOW",
    max_file_bytes: Optional[int] = None,
    max_clip_seconds: Optional[float] = None,
    max_height: Optional[int] = None,
    profile: Profile = GEMINI_25,
) -> Limits:
    """A profile's (default Gemini 2.5) tuning limits for a resolution, with any value overridden."""
    resolution = media_resolution.upper()
    if resolution not in RESOLUTIONS:
        raise ValueError(f"media resolution must be one of {RESOLUTIONS}, got {media_resolution!r}")
    low = resolution == "LOW"
    return Limits(
        media_resolution=resolution,
        max_file_bytes=max_file_bytes or profile.max_file_bytes,
        max_clip_seconds=max_clip_seconds or profile.clip_seconds(resolution),
        # Beyond ~480p at LOW (720p at MEDIUM/HIGH) extra pixels add little the model sees.
        max_height=max_height or (480 if low else 720),
    )
