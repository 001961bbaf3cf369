"""What kind of timeline a probed source has: whether a copy of it means the same times to every reader.

Our timeline counts from the first video frame a player shows. A file is `plain` when every
reader agrees with that: its first frame is shown at the container's zero, nothing is hidden
and nothing is delayed. The other kinds (README, "Timelines"):

- `trimmed`: an edit list hides frames before the first one shown (`ffmpeg -ss 3.3 -c copy`);
- `delayed`: the video track starts with an empty edit (a delayed start);
- `edited`: several edits, or a rate other than 1 (an editor's cuts in one file);
- `offset`: the first frame is not at the container's zero for another reason (MPEG-TS/PS
  clocks, `-output_ts_offset`).

Only a `plain` source may be copied as it is; the others are remuxed or cut onto a timeline
that starts at 0 (an `edited` one is transcoded).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from transforms.media import mp4_edits
from transforms.media.mp4_boxes import Box

PLAIN, TRIMMED, DELAYED, EDITED, OFFSET = "plain", "trimmed", "delayed", "edited", "offset"
# Below this, a start is zero: one tick of the coarsest common timescale (600 per second) is 1.7 ms.
_ZERO = 1e-3


def iso_tracks(read_at: Callable[[int, int], bytes], boxes: Optional[list[Box]]) -> list[mp4_edits.Track]:
    """The tracks of an ISO file's one `moov`; [] for other files."""
    moovs = [box for box in boxes or () if box.kind == b"moov"]
    if len(moovs) != 1:
        return []
    return mp4_edits.read_tracks(read_at, moovs[0].payload)


def timeline_kind(tracks: list[mp4_edits.Track], video_start: float, container_start: float,
                  hidden_frames: int) -> str:
    """The kind of timeline, from the video track's edit list and what the demuxer showed."""
    video = next((t for t in tracks if t.handler == "vide"), None)
    if video is not None:
        real = [e for e in video.edits if not e.empty]
        if len(real) > 1 or any(abs(e.rate - 1.0) > 1e-6 for e in real):
            return EDITED
        if video.delay > _ZERO:
            return DELAYED
    if hidden_frames:
        return TRIMMED
    if abs(video_start) > _ZERO or abs(container_start) > _ZERO:
        return OFFSET
    return PLAIN


def timeline_fields(read_at: Callable[[int, int], bytes], boxes: Optional[list[Box]],
                    found: dict[str, Any], audio_start: Optional[float]) -> dict[str, Any]:
    """`timeline` (the kind) and `audio_lag` (seconds the sound starts after the first frame)."""
    tracks = iso_tracks(read_at, boxes)
    kind = timeline_kind(tracks, found["video_start"], found["container_start"], found.get("hidden_frames", 0))
    lag = 0.0 if audio_start is None else max(0.0, audio_start - found["video_start"])
    return {"timeline": kind, "audio_lag": lag if lag > _ZERO else 0.0}


# A clip's sound may skip this much at its start: the encoder's priming (1024 or 2112 samples),
# or in a stream copy the few audio frames before the keyframe that FFmpeg's seek starts at
# (0.11 s measured). Readers that honour the edit (all common ones) play it in sync.
_MAX_AUDIO_SKIP = 0.25


def written_timeline_problem(tracks: list[mp4_edits.Track], video_start: float, hidden_frames: int) -> Optional[str]:
    """Why a clip we wrote would not show its first frame at 0 to every reader, or None.

    A written clip must hold no empty edit (a delayed track), hide no frame, and show its first
    video frame at 0; its sound may skip only the encoder's priming.
    """
    for track in tracks:
        if any(edit.empty for edit in track.edits):
            return f"its {track.handler} track starts with an empty edit of {track.delay:.3f}s"
    video = next((t for t in tracks if t.handler == "vide"), None)
    if video is not None and len(video.edits) > 1:
        return f"its video track has {len(video.edits)} edits"
    if hidden_frames:
        return f"its edit list hides {hidden_frames} frames"
    if abs(video_start) > _ZERO:
        return f"its first frame is at {video_start:.3f}s, not 0"
    for track in tracks:
        if track.handler == "soun" and track.skipped > _MAX_AUDIO_SKIP:
            return f"its sound skips {track.skipped:.3f}s at the start"
    return None
