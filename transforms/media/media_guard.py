"""What we let ffmpeg and PyAV open, and the sanity caps a file must pass before anything decodes it. Pure.

Untrusted media is opened only from bytes we hand over ourselves (ffmpeg: a local file we
fetched; PyAV: media_bytes.py's reader over a local file or one gs:// object), with FFmpeg's own
whitelists: the `file` protocol only (no `http:`, `concat:`, `subfile:` ... from inside a file),
and only the demuxers we accept (no HLS, DASH or concat scripts, which open further files: the
HLS local-file disclosures, CVE-2017-9993 among them, and the `concat:` SSRF, CVE-2016-1897/1898).
The whitelists are copied by FFmpeg into every nested context it opens. On top of them, a file
that is really a playlist or a reference script, or an AVI that carries an embedded HLS
playlist, is refused before any demuxer sees it, so that such a row is dropped with a reason rather than
half-read.

Drop codes returned here are DropReason values (transforms/core/types.py); this module imports
nothing heavy because the probe child imports it.
"""
from __future__ import annotations

from typing import Iterable, Optional

# FFmpeg demuxer names (AVInputFormat.name parts) of the containers we accept.
ACCEPTED_DEMUXERS = ("mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts",
                     "mpeg", "flv", "asf", "ogg")
FORMAT_WHITELIST = ",".join(ACCEPTED_DEMUXERS)
PROTOCOL_WHITELIST = "file"

# Caps checked on the header, before any frame is decoded.
MAX_DIMENSION = 8192            # 8K DCI; bigger frames are a decoder memory bomb, not training data
MAX_STREAMS = 32                # real files carry a handful; thousands make the demuxer allocate per stream
MAX_DECLARED_SECONDS = 48 * 3600
# A real video of at least one frame a second costs at least this many bytes per second of
# timeline (an empty H.264 P-frame plus its container entry is over 20 bytes).
MIN_BYTES_PER_SECOND = 16

# The start of a file that is not media but a list of other things to open.
_REFERENCE_HEADS = (
    (b"#EXTM3U", "an HLS playlist"),
    (b"#EXT-X-", "an HLS playlist"),
    (b"ffconcat", "an ffconcat script"),
    (b"concat:", "a concat: protocol reference"),
    (b"subfile,", "a subfile: protocol reference"),
    (b"file:", "a file: reference"),
    (b"http:", "a URL"),
    (b"https:", "a URL"),
    (b"[playlist]", "a PLS playlist"),
    (b"<?xml", "an XML document (DASH manifest, SMIL, ...)"),
    (b"<smil", "a SMIL playlist"),
    (b"<MPD", "a DASH manifest"),
    (b"v=0", "an SDP description"),
)
# Markers of a playlist hidden inside a container (the CVE-2017-9993 pattern: an HLS playlist
# in an AVI GAB2 subtitle). Seven or more bytes of plain text: they do not occur by chance in
# compressed media.
EMBEDDED_MARKERS = (b"#EXTM3U", b"#EXT-X-MEDIA-SEQUENCE", b"#EXT-X-TARGETDURATION", b"ffconcat version")


def ffmpeg_input_options(demuxer: Optional[str] = None) -> dict[str, str]:
    """Input options that keep ffmpeg (the CLI) to the one local file we give it."""
    options = {"protocol_whitelist": PROTOCOL_WHITELIST, "format_whitelist": FORMAT_WHITELIST}
    if demuxer:
        options["f"] = demuxer  # the demuxer the probe accepted: no second guess on the content
    if demuxer == "mov":
        options["enable_drefs"] = "0"  # FFmpeg's default, made explicit: no external data references
    return options


def pyav_open_options() -> dict[str, str]:
    """The same for PyAV, plus no MOV external data references (FFmpeg's default, made explicit)."""
    return {"protocol_whitelist": PROTOCOL_WHITELIST, "format_whitelist": FORMAT_WHITELIST,
            "enable_drefs": "0"}


def demuxer_for(container: str) -> str:
    """The ffmpeg demuxer for one of our container names (transforms/video_info.container_name)."""
    if container in ("mp4", "quicktime", "3gpp"):
        return "mov"
    if container in ("webm", "matroska"):
        return "matroska"
    return container if container in ACCEPTED_DEMUXERS else ""


def reference_kind(head: bytes) -> Optional[str]:
    """What the file is, when its first bytes say it is a list of things to open rather than media."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for marker, kind in _REFERENCE_HEADS:
        if text[:len(marker)].lower() == marker.lower():
            return kind
    return None


def embedded_marker(chunk: bytes) -> Optional[bytes]:
    for marker in EMBEDDED_MARKERS:
        if marker in chunk:
            return marker
    return None


def may_embed_playlist(head: bytes) -> bool:
    """Whether a file that starts with `head` is a container whose demuxer opens embedded data as a
    file of its own (AVI: GAB2 subtitles, the CVE-2017-9993 carrier). Only these are scanned whole;
    the whitelists above hold for every nested open in the others."""
    return head[:4] == b"RIFF" and head[8:12] == b"AVI "


def scan_for_embedded_playlist(chunks: Iterable[bytes]) -> Optional[bytes]:
    """The first playlist marker in the file's consecutive chunks, or None."""
    overlap = max(len(m) for m in EMBEDDED_MARKERS)
    tail = b""
    for chunk in chunks:
        found = embedded_marker(tail + chunk)
        if found:
            return found
        tail = chunk[-overlap:]
    return None


def header_problem(width: int, height: int, streams: int, declared_seconds: Optional[float],
                   size_bytes: int) -> Optional[tuple[str, str]]:
    """(drop code, detail) when the header describes something no real video is; else None."""
    if streams > MAX_STREAMS:
        return "too_many_streams", f"the file declares {streams} streams (at most {MAX_STREAMS} accepted)"
    if width <= 0 or height <= 0:
        return "bad_frame_size", (f"the video stream declares no usable frame size ({width}x{height}); "
                                  "FFmpeg clears sizes it cannot allocate")
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        return "bad_frame_size", (f"the frame size {width}x{height} is over {MAX_DIMENSION} pixels on a side; "
                                  "scale the video down")
    return duration_problem(declared_seconds, size_bytes, "declares")


def duration_problem(seconds: Optional[float], size_bytes: int, verb: str = "has") -> Optional[tuple[str, str]]:
    """(drop code, detail) when a duration is absurd on its own or for the file's size."""
    if seconds is None or seconds <= 0:
        return None
    if seconds > MAX_DECLARED_SECONDS:
        return "implausible_duration", (f"the file {verb} a length of {seconds:.0f}s (over {MAX_DECLARED_SECONDS // 3600} h); "
                                        "its header is corrupt or forged")
    if size_bytes / seconds < MIN_BYTES_PER_SECOND and seconds > 3600:
        return "implausible_duration", (f"the file {verb} a length of {seconds:.0f}s but holds {size_bytes} bytes "
                                        f"({size_bytes / seconds:.1f} bytes/s); its header is corrupt or forged")
    return None
