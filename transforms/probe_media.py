"""Probe one local media file with PyAV and print what was found as JSON.

Runs as `python -m transforms.probe_media PATH` in a child process: PyAV can crash or hang on
hostile files, and a crash here must cost one drop record, not a worker.
"""
from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any, Optional

from transforms import media_guard as guard


def refuse_before_opening(path: str) -> Optional[dict[str, Any]]:
    """The error record for a file no demuxer should see: empty, a playlist, or one hiding a playlist."""
    if os.path.getsize(path) == 0:
        return {"error": "unreadable", "detail": "the file is empty (0 bytes)"}
    with open(path, "rb") as handle:
        kind = guard.reference_kind(handle.read(512))
    if kind:
        return {"error": "hostile_media",
                "detail": f"the file is {kind}, not a video: it would make FFmpeg open other files or URLs"}
    marker = guard.scan_for_embedded_playlist(path)
    if marker:
        return {"error": "hostile_media",
                "detail": f"the file embeds a playlist ({marker.decode()!r}): a known way to make FFmpeg "
                          "read other files (CVE-2017-9993)"}
    return None


def probe(path: str) -> dict[str, Any]:
    import av  # imported here so that the parent process never loads the decoders

    refused = refuse_before_opening(path)
    if refused:
        return refused
    try:
        container = av.open(path, metadata_errors="ignore", options=guard.pyav_open_options())
    except av.ArgumentError as err:  # FFmpeg says EINVAL when the format is not on the whitelist
        return {"error": "unsupported_format",
                "detail": f"not a container we accept ({guard.FORMAT_WHITELIST}): {err}"}
    except (av.FFmpegError, OSError, UnicodeDecodeError) as err:
        return {"error": "unreadable", "detail": f"cannot open: {err}"}
    with container:
        unknown = [s for s in container.streams.video if s.codec_context is None]
        videos = [s for s in container.streams.video if s.codec_context is not None]
        audios = list(container.streams.audio)
        result: dict[str, Any] = {
            "format_name": container.format.name,
            "major_brand": container.metadata.get("major_brand", ""),
            "container_start": (container.start_time or 0) / 1_000_000,
            "size_bytes": os.path.getsize(path),
            "streams": len(container.streams),
            "has_audio": bool(audios),
            "audio_codec": audios[0].codec_context.name if audios else "",
        }
        if not videos and unknown:
            return {"error": "unsupported_codec",
                    "detail": "the video stream's codec is unknown to FFmpeg", **result}
        if not videos:
            return {"error": "no_video_stream", "detail": "the file has no video stream", **result}
        video = videos[0]
        result.update({
            "video_codec": video.codec_context.name,
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "fps": float(video.average_rate or video.guessed_rate or 0),
        })
        declared = container.duration / 1_000_000 if container.duration else None
        problem = guard.header_problem(result["width"], result["height"], result["streams"], declared,
                                       result["size_bytes"])
        if problem:  # before our packet scan and frame decode (opening read only a few packets)
            return {"error": problem[0], "detail": problem[1], **result}
        try:
            result.update(_scan_packets(container, video))
            problem = guard.duration_problem(result["duration"], result["size_bytes"], "has packets over")
            if problem:
                return {"error": problem[0], "detail": problem[1], **result}
            result["rotation"] = _first_frame_rotation(container, video)
        except (av.FFmpegError, StopIteration, ValueError) as err:
            return {"error": "unreadable", "detail": f"cannot read the video stream: {err}", **result}
    return result


def _scan_packets(container, video) -> dict[str, Any]:
    """Keyframe times and the true first/last frame times, from packets (nothing decoded)."""
    time_base = float(video.time_base)
    first = None
    end = None
    keyframes = []
    lead = 0.0
    count = 0
    for packet in container.demux(video):
        if packet.pts is None:
            continue
        count += 1
        pts = packet.pts * time_base
        duration = (packet.duration or 0) * time_base
        first = pts if first is None else min(first, pts)
        end = pts + duration if end is None else max(end, pts + duration)
        if packet.is_keyframe:
            keyframes.append(pts)
            if packet.dts is not None:
                lead = max(lead, pts - packet.dts * time_base)
    if not count:
        raise ValueError("the video stream has no frames")
    if end - first <= 0 and result_fps_guess(video):
        end = first + count / result_fps_guess(video)
    return {
        "video_start": first,
        "duration": end - first,
        "frames": count,
        "keyframes": sorted(k - first for k in keyframes),
        # How far a keyframe is decoded before it is shown (B-frames): stream copy stops by
        # decode time, so a copied clip must stop this much before the next keyframe's time.
        "decode_lead": lead,
    }


def result_fps_guess(video) -> float:
    return float(video.average_rate or video.guessed_rate or 0)


def _first_frame_rotation(container, video) -> int:
    container.seek(0)
    frame = next(container.decode(video))
    return int(getattr(frame, "rotation", 0) or 0) % 360


def main() -> None:
    if len(sys.argv) > 2:  # a cap on this process's memory: a hostile file costs a drop, not a worker
        limit = int(sys.argv[2])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write a core dump to the disk
    json.dump(probe(sys.argv[1]), sys.stdout)


if __name__ == "__main__":
    main()
