"""What kind of timeline a probed source has: whether a copy of it means the same times to every reader.

Our timeline counts from the first video frame a player shows. A file is `plain` when every
reader agrees with that: its first frame is shown at the container's zero, nothing is hidden
and nothing is delayed. The other kinds (README, "Timelines"):

- `trimmed`: an edit list hides frames before the first one shown (`ffmpeg -ss 3.3 -c copy`);
- `delayed`: the video track starts with an empty edit (a delayed start);
- `edited`: several edits, or a rate other than 1 (an editor's cuts in one file);
- `offset`: the first frame is not at the container's zero for another reason (MPEG-TS/PS
  clocks, `-output_ts_offset`);
- `discontinuous`: an MPEG-TS/PS clock that jumps (ts_discontinuity.py): a seek in it would
  land by the raw clock, so the cut stage reads it once from its start into a file whose clock
  runs on (ffmpeg corrects it the same way), then cuts that.

Only a `plain` source may be copied as it is; the others are remuxed or cut onto a timeline
that starts at 0 (an `edited` one is transcoded).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from transforms.media import mp4_edits
from transforms.media.mp4_boxes import Box

PLAIN, TRIMMED, DELAYED, EDITED, OFFSET, DISCONTINUOUS = (
    "plain", "trimmed", "delayed", "edited", "offset", "discontinuous")
# Below this, a start is zero: one tick of the coarsest common timescale (600 per second) is 1.7 ms.
_ZERO = 1e-3


def iso_tracks(read_at: Callable[[int, int], bytes], boxes: Optional[list[Box]]) -> list[mp4_edits.Track]:
    """The tracks of an ISO file's one `moov`; [] for other files."""
    moovs = [box for box in boxes or () if box.kind == b"moov"]
    if len(moovs) != 1:
        return []
    return mp4_edits.read_tracks(read_at, moovs[0].payload)


def skipped_before_first_keyframe(video: Optional[mp4_edits.Track], first_dts: float) -> float:
    """Seconds of samples an edit list skips that FFmpeg leaves out of its index altogether (a
    trim that starts on a keyframe hides whole GOPs before it, and flags nothing as hidden).

    FFmpeg gives a sample the decode time (its time in the track) - media time + delay; the
    track's first sample is at 0 in it, so a first decode time above delay - media time means
    the samples before were left out.
    """
    if video is None or not video.edits:
        return 0.0
    left_out = first_dts - (video.delay - video.skipped)
    return left_out if left_out > _ZERO else 0.0


def timeline_kind(tracks: list[mp4_edits.Track], video_start: float, container_start: float,
                  hidden_frames: int, clock_jumps: int = 0, first_dts: Optional[float] = None) -> str:
    """The kind of timeline, from the video track's edit list and what the demuxer showed."""
    if clock_jumps:
        return DISCONTINUOUS
    video = next((t for t in tracks if t.handler == "vide"), None)
    if video is not None:
        real = [e for e in video.edits if not e.empty]
        if len(real) > 1 or any(abs(e.rate - 1.0) > 1e-6 for e in real):
            return EDITED
        if video.delay > _ZERO:
            return DELAYED
    if hidden_frames or (first_dts is not None and skipped_before_first_keyframe(video, first_dts)):
        return TRIMMED
    if abs(video_start) > _ZERO or abs(container_start) > _ZERO:
        return OFFSET
    return PLAIN


def timeline_fields(read_at: Callable[[int, int], bytes], boxes: Optional[list[Box]],
                    found: dict[str, Any], audio_start: Optional[float]) -> dict[str, Any]:
    """`timeline` (the kind) and `audio_lag` (seconds the sound starts after the first frame)."""
    tracks = iso_tracks(read_at, boxes)
    kind = timeline_kind(tracks, found["video_start"], found["container_start"], found.get("hidden_frames", 0),
                         found.get("clock_jumps", 0), found.get("first_dts"))
    lag = 0.0 if audio_start is None else max(0.0, audio_start - found["video_start"])
    return {"timeline": kind, "audio_lag": lag if lag > _ZERO else 0.0}


# A clip's sound may skip this much at its start: the encoder's priming (1024 or 2112 samples),
# or in a stream copy the few audio frames before the keyframe that FFmpeg's seek starts at
# (0.11 s measured). Readers that honour the edit (all common ones) play it in sync.
_MAX_AUDIO_SKIP = 0.25


def written_timeline_problem(tracks: list[mp4_edits.Track], video_start: float, hidden_frames: int,
                             first_dts: float = 0.0) -> Optional[str]:
    """Why a clip we wrote would not show its first frame at 0 to every reader, or None.

    Its video track must hold no empty edit (a delayed start) and hide no frame, and its first
    frame must be at 0. The sound is checked apart (written_audio_problem): it can be fixed alone.
    """
    video = next((t for t in tracks if t.handler == "vide"), None)
    if video is not None and any(edit.empty for edit in video.edits):
        return f"its video track starts with an empty edit of {video.delay:.3f}s"
    if video is not None and len(video.edits) > 1:
        return f"its video track has {len(video.edits)} edits"
    if hidden_frames:
        return f"its edit list hides {hidden_frames} frames"
    left_out = skipped_before_first_keyframe(video, first_dts)
    if left_out:
        return f"its edit list skips {left_out:.3f}s of frames before the first one shown"
    if abs(video_start) > _ZERO:
        return f"its first frame is at {video_start:.3f}s, not 0"
    return None


def written_audio_problem(tracks: list[mp4_edits.Track]) -> Optional[str]:
    """Why a clip's sound would not start with its first frame for every reader, or None: an
    empty edit (the sound starts late), or more skipped than priming and a copy's pre-roll."""
    for track in tracks:
        if track.handler != "soun":
            continue
        if any(edit.empty for edit in track.edits):
            return f"its sound starts {track.delay:.3f}s late (an empty edit)"
        if track.skipped > _MAX_AUDIO_SKIP:
            return f"its sound skips {track.skipped:.3f}s at the start"
    return None
