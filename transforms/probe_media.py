"""Probe one local media file with PyAV and print what was found as JSON.

Runs as `python -m transforms.probe_media PATH` in a child process: PyAV can crash or hang on
hostile files, and a crash here must cost one drop record, not a worker.
"""
from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any


def probe(path: str) -> dict[str, Any]:
    import av  # imported here so that the parent process never loads the decoders

    try:
        container = av.open(path, metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as err:
        return {"error": "unreadable", "detail": f"cannot open: {err}"}
    with container:
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
        if not videos:
            return {"error": "no_video_stream", "detail": "the file has no video stream", **result}
        video = videos[0]
        result.update({
            "video_codec": video.codec_context.name,
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "fps": float(video.average_rate or video.guessed_rate or 0),
        })
        try:
            result.update(_scan_packets(container, video))
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
    json.dump(probe(sys.argv[1]), sys.stdout)


if __name__ == "__main__":
    main()
