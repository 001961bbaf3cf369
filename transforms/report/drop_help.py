"""What each drop reason means and how to fix it: the README's "Drop reasons" table, for the report.

tests/report/test_drop_help.py checks that this and the README say the same, row for row.
"""
from __future__ import annotations

from typing import NamedTuple


class DropHelp(NamedTuple):
    stage: str
    cause: str
    fix: str


DROP_HELP: dict[str, DropHelp] = {
    'unreadable_manifest': DropHelp(
        'read',
        'a manifest file cannot be read or parsed at all',
        'check the file and its format'),
    'malformed_row': DropHelp(
        'read',
        'a line that is not a JSON object, not UTF-8, a bad `split`, `annotations` not a list, an '
        'annotation with both a time and a frame number for one end, a bad `video_uris` (not a list, an '
        'item without a URI) or one with `annotations` or `start`/`end`',
        'fix the row'),
    'missing_field': DropHelp(
        'read',
        'no `video_uri`, no `prompt` (and no `--prompt`), an annotation without `start` (or `start_frame`)',
        'add the field'),
    'bad_time': DropHelp(
        'read',
        'a time in none of the accepted spellings, or negative; a frame number that is not a whole '
        'number from 0',
        'use seconds, `"12.5s"` or `MM:SS`; frames as whole numbers'),
    'bad_range': DropHelp(
        'read',
        '`end` not after `start` (row or annotation)',
        'swap or fix the times'),
    'annotation_out_of_range': DropHelp(
        'read/plan',
        "an annotation outside the row's segment or past the end of the video (1 s tolerance)",
        'fix the times, or the segment'),
    'duplicate_id': DropHelp(
        'read',
        'two rows share an `id` (all of them are dropped)',
        'give each row its own id'),
    'no_target': DropHelp(
        'read',
        'neither `annotations` nor `response`',
        'add one (`annotations: []` means "no events")'),
    'ambiguous_target': DropHelp(
        'read',
        'both `annotations` and `response`',
        'keep one'),
    'too_many_videos': DropHelp(
        'read',
        "`video_uris` lists more videos than the profile's `videos_per_example` (gemini-2.5: 1)",
        'give each video its own row, or use `--profile gemini-3`'),
    'source_not_found': DropHelp(
        'probe',
        'the video does not exist',
        'fix `video_uri`'),
    'unsupported_uri': DropHelp(
        'probe',
        'a `video_uri` scheme nothing here reads (`ftp://`, `file://`, ...)',
        'use a local path, `gs://` or `https://`'),
    'unreadable_media': DropHelp(
        'probe',
        'the file is not a video PyAV can read (empty, truncated, no `moov`, corrupt, not media)',
        're-export the file'),
    'no_video_stream': DropHelp(
        'probe',
        'audio-only or data file',
        'remove the row'),
    'probe_timeout': DropHelp(
        'probe',
        'probing took longer than `--probe_timeout` (plus 1 s per 25 MB of file)',
        'check the file; raise the timeout'),
    'probe_crashed': DropHelp(
        'probe',
        'the probe process was killed by a signal (a decoder crash) or ran out of its 4 GiB memory cap',
        're-export the file; report it if it plays'),
    'hostile_media': DropHelp(
        'probe',
        'the file is a playlist or reference script (HLS, ffconcat, `concat:`/`subfile:`/`file:` '
        'URL, DASH, SDP), or embeds an HLS playlist: it would make FFmpeg open other files',
        'point `video_uri` at the video itself'),
    'unsupported_format': DropHelp(
        'probe',
        'a container outside the accepted demuxers (MP4/MOV/3GP, Matroska/WebM, AVI, MPEG-TS/PS, '
        'FLV, ASF, Ogg)',
        'remux it into MP4 or Matroska'),
    'unsupported_codec': DropHelp(
        'probe',
        "the video stream's codec is unknown to FFmpeg",
        're-encode it (H.264 is safest)'),
    'bad_frame_size': DropHelp(
        'probe',
        'the header declares no frame size, or over 8192 pixels on a side',
        'scale the video down, or re-export it'),
    'implausible_duration': DropHelp(
        'probe',
        'a declared or measured length over 48 h, or far more seconds than the file has bytes for',
        're-export the file (its header is corrupt or forged)'),
    'too_many_streams': DropHelp(
        'probe',
        'more than 32 streams',
        'keep the streams you need (`ffmpeg -map`)'),
    'remote_refused': DropHelp(
        'probe',
        'a URL that is not http/https on port 80/443, carries credentials, resolves to (or '
        'redirects to) a private, loopback, link-local, CGNAT, multicast or other internal address,'
        ' or fails TLS',
        'host the video at a public https URL, or on `gs://`'),
    'remote_http_error': DropHelp(
        'probe/cut',
        'the server answered 4xx (404, 403, ...), a redirect without a target, or too many redirects',
        'fix the URL or its permissions'),
    'remote_unavailable': DropHelp(
        'probe/cut',
        '5xx, timeouts or resets still failing after retries with backoff, a host that does not '
        'resolve, or a download past its time cap',
        'rerun later, or fix the server'),
    'remote_too_large': DropHelp(
        'probe/cut',
        'the download is over the byte cap (8 GiB)',
        'shorten the video, or host it on `gs://`'),
    'segment_out_of_range': DropHelp(
        'plan',
        '`start` past the end of the video, or `end` well past it',
        'fix the segment'),
    'frame_out_of_range': DropHelp(
        'plan',
        "an annotation's `start_frame` or `end_frame` past the video's last frame (the detail gives"
        ' the frame count)',
        'count frames from 0, in the video the row names'),
    'too_long_for_response': DropHelp(
        'plan',
        'a fixed `response` (or `turns`) needs one clip, but the video or segment is longer than a clip '
        'may be, or `--oversize split` cut it in pieces',
        'annotate it, shorten the segment, use `LOW`, or give the row `oversize: transcode`'),
    'video_needs_several_clips': DropHelp(
        'plan',
        'a video of a `video_uris` row is longer than one clip may be, or `--oversize split` would cut it '
        'in pieces: an example cannot be chunked across videos',
        'trim the video, use `LOW`, or give it its own row'),
    'over_size_limit': DropHelp(
        'plan',
        "`--oversize drop` (or the row's `oversize: drop`): a clip of the video, copied, would be over "
        '`--max_file_bytes`',
        'use `--oversize split` or `transcode`, or leave the row out'),
    'cut_failed': DropHelp(
        'cut',
        'ffmpeg failed, timed out or was killed (crash, memory cap), a copied clip is not where '
        'the keyframes said, or a written clip would not show its first frame at 0 to every reader '
        '(see "Timelines")',
        'see `detail`; report it if the file plays'),
    'clip_over_limit': DropHelp(
        'cut',
        'still over the size limit after three encodes, or over the length limit',
        'lower `--max_height` or `--max_clip_seconds`'),
    'clip_lost': DropHelp(
        'build',
        'a clip this row needs failed (its `kind: clip` record says why)',
        'as for that clip'),
    'answer_not_splittable': DropHelp(
        'build',
        'repair mode: a line of a free-text answer names times that no one clip holds (it would '
        'have to be cut in two)',
        'put each event on its own line, answer in JSON (its intervals are clipped), or use `LOW` '
        '(longer clips)'),
    'annotation_lost': DropHelp(
        'build',
        'an annotation fell between clips as cut (a safety net; should never happen)',
        'report it'),
    'media_resolution_mismatch': DropHelp(
        'plan',
        "Gemini 2.5: the row's `media_resolution` differs from the dataset's",
        'remove it, run with that `--media_resolution`, or use `--profile gemini-3`'),
    'over_token_budget': DropHelp(
        'plan/build',
        'a fixed `response` (which cannot be split) over `--max_example_tokens`, or a prompt and '
        'answer that alone come near it',
        'annotate the row, shorten the segment or the text, use `LOW`, lower `--fps`, or raise the cap'),
}
