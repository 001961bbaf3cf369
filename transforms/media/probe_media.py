"""Probe one source with PyAV and print what was found as JSON.

Runs as `python -m transforms.media.probe_media URI` in a child process: PyAV can crash or hang on
hostile files, and a crash here must cost one drop record, not a worker. URI is a local path
or a gs:// object (read by ranges, never downloaded whole). An MP4 or MOV whose sample table
sits in one `moov` box is probed from that table: its payload is never read (mp4_boxes.py), so
a faststart file costs its header and one keyframe. Every byte read is counted (`bytes_read`).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
from typing import Any, Optional

from transforms.core import frame_runs, ts_discontinuity
from transforms.core.frames import encode_runs
from transforms.media import media_bytes
from transforms.media import media_guard as guard
from transforms.media import mp4_boxes
from transforms.media import timeline_probe
from transforms.media import probe_picture


def refuse_before_opening(source) -> Optional[dict[str, Any]]:
    """The error record for a file no demuxer should see: empty, a playlist, or one hiding a playlist."""
    if source.size == 0:
        return {"error": "unreadable", "detail": "the file is empty (0 bytes)"}
    head = source.read_at(0, 512)
    kind = guard.reference_kind(head)
    if kind:
        return {"error": "hostile_media",
                "detail": f"the file is {kind}, not a video: it would make FFmpeg open other files or URLs"}
    if guard.may_embed_playlist(head):
        marker = guard.scan_for_embedded_playlist(media_bytes.read_all(source))
        if marker:
            return {"error": "hostile_media",
                    "detail": f"the file embeds a playlist ({marker.decode()!r}): a known way to make FFmpeg "
                              "read other files (CVE-2017-9993)"}
    return None


def probe(uri: str, generation: Optional[int] = None, read_payload: bool = False,
          size: Optional[int] = None, frame_times: bool = False) -> dict[str, Any]:
    """What the source is. `read_payload`: read an MP4's payload too (the tests' reference).
    `frame_times`: also every frame's presentation time (for rows that count in frames)."""
    try:
        source = media_bytes.open_bytes(uri, generation, size)
    except OSError as err:
        return {"error": "unreadable", "detail": f"cannot read the file: {err}", "bytes_read": 0}
    try:
        result = probe_source(source, read_payload)
        if frame_times and "error" not in result:
            try:
                result["frame_times"] = probe_frame_times(source, read_payload)
            except ValueError as err:
                result = {"error": "unreadable", "detail": f"cannot read the frame times: {err}", **result}
    finally:
        source.close()
    result["bytes_read"] = source.bytes_read
    return result


def probe_source(source, read_payload: bool = False) -> dict[str, Any]:
    import av  # imported here so that the parent process never loads the decoders

    refused = refuse_before_opening(source)
    if refused:
        return refused
    boxes = mp4_boxes.top_level_boxes(source.read_at, source.size)
    payload = None if read_payload else mp4_boxes.payload_ranges(boxes)
    container = _open(media_bytes.MaskedView(source, payload or ()))
    if isinstance(container, dict):
        return container
    with container:
        unknown = [s for s in container.streams.video if s.codec_context is None]
        videos = [s for s in container.streams.video
                  if s.codec_context is not None and not probe_picture.is_cover_art(s)]
        # Audio streams FFmpeg has no decoder for are not audio we can keep (probe_picture).
        audios = [s for s in container.streams.audio if s.codec_context is not None]
        result: dict[str, Any] = {
            "format_name": container.format.name,
            "major_brand": container.metadata.get("major_brand", ""),
            "container_start": (container.start_time or 0) / 1_000_000,
            "size_bytes": source.size,
            "streams": len(container.streams),
            "has_audio": bool(audios),
            "audio_codec": "",
            **probe_picture.audio_fields(container),
        }
        if not videos and unknown:
            return {"error": "unsupported_codec",
                    "detail": "the video stream's codec is unknown to FFmpeg", **result}
        if not videos:
            return {"error": "no_video_stream", "detail": "the file has no video stream", **result}
        video = videos[0]
        result.update({
            # Which video stream ffmpeg must map (cover art may come before it).
            "video_index": list(container.streams.video).index(video),
            "other_streams": probe_picture.other_streams(container, video, result["audio_index"]),
            # The codec's own name, not its decoder's (libdav1d decodes av1).
            "video_codec": video.codec_context.codec.canonical_name,
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
            # Header-only, the payload is zeros and FFmpeg's parser would see no keyframe in it: the
            # sample table's own sync flags say which packets are keyframes (what ffmpeg seeks by).
            scan = _scan_packets(container, video, _sync_positions(video) if payload else None)
            first_key = scan.pop("first_keyframe")
            result.update(scan)
            result.update(timeline_probe.timeline_fields(source.read_at, boxes, result, _start_of(audios)))
            problem = guard.duration_problem(result["duration"], result["size_bytes"], "has packets over")
            if problem:
                return {"error": problem[0], "detail": problem[1], **result}
            if payload:
                result.update(_first_frame_alone(source, payload, first_key, result["video_index"]))
            else:
                container.seek(0)
                result.update(_first_frame_fields(video, next(container.decode(video))))
        except (av.FFmpegError, StopIteration, ValueError) as err:
            return {"error": "unreadable", "detail": f"cannot read the video stream: {err}", **result}
    return result


def probe_frame_times(source, read_payload: bool = False) -> dict[str, Any]:
    """Every video frame's presentation time, run-length encoded (core/frames.py reads it).

    A second pass over the packets, asked for only by rows that count in frames: an MP4's
    comes from its sample table (the header the first pass read, from the block cache), other
    containers are read again. Packets a player discards (outside an edit list) are no frames.
    """
    import av

    payload = None if read_payload else mp4_boxes.payload_ranges(
        mp4_boxes.top_level_boxes(source.read_at, source.size))
    container = _open(media_bytes.MaskedView(source, payload or ()))
    if isinstance(container, dict):
        raise ValueError(container["detail"])
    with container:
        video = next(s for s in container.streams.video if s.codec_context is not None)
        try:
            pts = [packet.pts for packet in container.demux(video)
                   if packet.pts is not None and not getattr(packet, "is_discard", False)]
        except av.FFmpegError as err:
            raise ValueError(str(err)) from None
    if not pts:
        raise ValueError("the video stream has no frames")
    base = video.time_base
    return {"time_base": [base.numerator, base.denominator], "first_pts": min(pts), "runs": encode_runs(pts)}


def measure_written(path: str) -> dict[str, Any]:
    """The length and size of an MP4 that our ffmpeg wrote, from its sample table alone.

    No payload is read and nothing is decoded (FFmpeg's stream analysis sees zeros), so this runs
    in the worker's own process: the cut stage measures every clip it writes without starting a
    child. `timeline_problem` says why its first frame would not be at 0 for every reader, and
    `audio_problem` why its sound would not start with it (None when all is well). Raises ValueError when the file is not an MP4 with one sample table, or has no video.
    """
    import av

    source = media_bytes.open_bytes(path)
    try:
        payload = mp4_boxes.payload_ranges(mp4_boxes.top_level_boxes(source.read_at, source.size))
        if payload is None:
            raise ValueError("not an MP4 with one sample table (moov)")
        try:
            with av.open(media_bytes.MaskedView(source, payload), options=guard.pyav_open_options()) as container:
                if not container.streams.video:
                    raise ValueError("no video stream")
                video = container.streams.video[0]
                scan = _scan_packets(container, video, _sync_positions(video))
        except av.FFmpegError as err:
            raise ValueError(str(err)) from None
        tracks = timeline_probe.iso_tracks(source.read_at, mp4_boxes.top_level_boxes(source.read_at, source.size))
    finally:
        source.close()
    return {"duration": scan["duration"], "size_bytes": source.size, "frames": scan["frames"],
            "timeline_problem": timeline_probe.written_timeline_problem(tracks, scan["video_start"],
                                                                        scan["hidden_frames"], scan["first_dts"]),
            "audio_problem": timeline_probe.written_audio_problem(tracks)}


def _sync_positions(video) -> set[int]:
    """The byte positions of the keyframes, by the sample table's own sync flags."""
    return {entry.pos for entry in video.index_entries if entry.is_keyframe}


def _scan_packets(container, video, sync_positions: Optional[set[int]] = None) -> dict[str, Any]:
    """Keyframe times and the true first/last frame times, from packets (nothing decoded).

    `sync_positions`: the byte positions of the keyframes, when the packets' own flags cannot tell.
    An MPEG-TS/PS clock that jumps is corrected as ffmpeg corrects it (ts_discontinuity.py).
    """
    time_base = float(video.time_base)
    jumps = None
    packets = container.demux(video)
    if container.format.name.split(",")[0] in _JUMPING_CLOCKS:
        jumps = ts_discontinuity.Corrector()
        packets = _corrected(container.demux(video, *container.streams.audio[:1]), video, jumps)
    first = None
    end = None
    keyframes = []
    first_keyframe = None
    lead = 0.0
    count = 0
    hidden = 0
    shown = []
    open_keyframes = set()
    current_key = None
    first_dts = None
    sizes = _KeyframeBytes()
    for packet in packets:
        sizes.add(packet)
        if packet.pts is None:
            continue
        if packet.dts is not None and (first_dts is None or packet.dts * time_base < first_dts):
            first_dts = packet.dts * time_base
        if current_key is not None and not packet.is_discard and packet.pts * time_base < current_key - 1e-6:
            # Decoded after the keyframe but shown before it: an open GOP's leading frame, which
            # needs the GOP before. A copy cannot start on such a keyframe.
            open_keyframes.add(current_key)
        if packet.is_discard:
            # An edit list hides it (a trimmed start): decoded for the frames after it, never shown.
            # The timeline is what a player shows, so it starts at the first frame not hidden.
            hidden += 1
            continue
        count += 1
        pts = packet.pts * time_base
        shown.append(pts)
        duration = (packet.duration or 0) * time_base
        first = pts if first is None else min(first, pts)
        end = pts + duration if end is None else max(end, pts + duration)
        if packet.is_keyframe if sync_positions is None else packet.pos in sync_positions:
            current_key = pts
            own_lead = pts - packet.dts * time_base if packet.dts is not None else 0.0
            keyframes.append((pts, own_lead))
            sizes.mark(pts)
            if first_keyframe is None and packet.pos is not None and packet.pos >= 0:
                first_keyframe = (packet.pos, packet.pos + packet.size)
            lead = max(lead, own_lead)
    if not count:
        raise ValueError("the video stream has no frames")
    if end - first <= 0 and result_fps_guess(video):
        end = first + count / result_fps_guess(video)
    return {
        "video_start": first,
        # The first decode time the demuxer gives: against the edit list's media time, it says
        # whether samples before the first shown keyframe were left out (a trim on a keyframe).
        "first_dts": first_dts if first_dts is not None else first,
        "duration": end - first,
        "frames": count,
        "keyframes": [k - first for k, _ in sorted(keyframes)],
        # How far a keyframe is decoded before it is shown (B-frames): stream copy stops by
        # decode time, so a copied clip must stop this much before the next keyframe's time.
        # Each keyframe's own: at a variable frame rate it varies (a second after a stall).
        "decode_lead": lead,
        "keyframe_leads": [round(own, 9) for _, own in sorted(keyframes)],
        "open_keyframes": sorted(k - first for k in open_keyframes),
        "first_keyframe": first_keyframe or (0, 0),
        "hidden_frames": hidden,
        # Every frame's time (a variable frame rate is the rule on phones), as runs.
        "frame_runs": [list(run) for run in frame_runs.runs_of(sorted(t - first for t in shown))],
        "clock_jumps": jumps.jumps if jumps else 0,
        **sizes.report(),
    }


# Demuxers whose clocks may jump (FFmpeg's AVFMT_TS_DISCONT): the transport and program streams.
_JUMPING_CLOCKS = {"mpegts", "mpeg"}


def _corrected(packets, video, jumps: "ts_discontinuity.Corrector"):
    """The video packets, their times corrected for the clock's jumps (seen on any mapped stream)."""
    fallback = 1.0 / result_fps_guess(video) if result_fps_guess(video) else 0.0
    for packet in packets:
        if packet.dts is None and packet.pts is None:
            continue
        base = float(packet.time_base)
        duration = (packet.duration or 0) * base or (fallback if packet.stream is video else 0.0)
        dts, pts = jumps.correct(packet.stream.index, None if packet.dts is None else packet.dts * base,
                                 None if packet.pts is None else packet.pts * base, duration)
        if packet.stream is not video:
            continue
        # Rewritten in the stream's own ticks, which the scan reads.
        packet.dts = None if dts is None else round(dts / base)
        packet.pts = None if pts is None else round(pts / base)
        yield packet


def _start_of(streams) -> Optional[float]:
    """The first stream's start time in seconds, as the demuxer reports it (None when unknown)."""
    if not streams or streams[0].start_time is None:
        return None
    return float(streams[0].start_time * streams[0].time_base)


class _KeyframeBytes:
    """Bytes of video packets before each keyframe, in keyframe order (--oversize split cuts by them).

    A header-only probe sees each packet's size in the sample table, so this costs no read.
    """

    def __init__(self):
        self._before = 0   # bytes of the packets before the current one
        self._current = 0
        self._marks: list[tuple[float, int]] = []

    def add(self, packet) -> None:
        self._before += self._current
        self._current = packet.size or 0

    def mark(self, pts: float) -> None:
        """The current packet is a keyframe at `pts`: a piece cut there starts after `_before` bytes."""
        self._marks.append((pts, self._before))

    def report(self) -> dict[str, Any]:
        return {"keyframe_bytes": [size for _, size in sorted(self._marks)],
                "video_bytes": self._before + self._current}


def result_fps_guess(video) -> float:
    return float(video.average_rate or video.guessed_rate or 0)


def _open(view):
    """The opened container, or the error record."""
    import av
    try:
        return av.open(view, metadata_errors="ignore", options=guard.pyav_open_options())
    except av.ArgumentError as err:  # FFmpeg says EINVAL when the format is not on the whitelist
        return {"error": "unsupported_format",
                "detail": f"not a container we accept ({guard.FORMAT_WHITELIST}): {err}"}
    except (av.FFmpegError, OSError, UnicodeDecodeError) as err:
        return {"error": "unreadable", "detail": f"cannot open: {err}"}


def _first_frame_alone(source, payload, keyframe: tuple[int, int], video_index: int = 0) -> dict[str, Any]:
    """Decode the first keyframe, and nothing after it: the only payload a header-only probe reads.

    A second open, with that packet's bytes real: the first one may hold them, as zeros, in
    FFmpeg's read buffer. The header it reads again comes from the block cache.
    """
    view = media_bytes.MaskedView(source, payload)
    view.reveal(*keyframe)
    container = _open(view)
    if isinstance(container, dict):
        raise ValueError(container["detail"])
    with container:
        video = container.streams.video[video_index]
        for packet in container.demux(video):
            if packet.pos == keyframe[0]:
                break
        else:
            raise ValueError("the first keyframe is not where the sample table puts it")
        frames = video.codec_context.decode(packet) + video.codec_context.decode(None)
        if not frames:
            raise ValueError("the first keyframe does not decode")
        return _first_frame_fields(video, frames[0])


def _first_frame_fields(video, frame) -> dict[str, Any]:
    """What the first decoded frame tells: its rotation, and the picture's format (probe_picture)."""
    return {"rotation": _rotation(frame), **probe_picture.picture_fields(video, frame)}


def _rotation(frame) -> int:
    return int(getattr(frame, "rotation", 0) or 0) % 360


def cap_memory(limit: int) -> None:
    """A cap on this process's memory (0: none): a hostile file costs a drop, not a worker."""
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write a core dump to the disk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("uri")
    parser.add_argument("memory_limit", nargs="?", type=int, default=0)
    parser.add_argument("--generation", type=int, default=None, help="the gs:// object's generation to read")
    parser.add_argument("--size", type=int, default=None, help="that generation's size, as identified")
    parser.add_argument("--frame_times", action="store_true", help="also every frame's presentation time")
    args = parser.parse_args()
    cap_memory(args.memory_limit)
    try:
        found = probe(args.uri, args.generation, size=args.size, frame_times=args.frame_times)
    except media_bytes.SourceReadError as err:
        print(f"storage failure: {err}", file=sys.stderr)
        sys.exit(media_bytes.TRANSIENT_EXIT)
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
