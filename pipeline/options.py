"""Command-line options, and their validation as a pure function."""
from __future__ import annotations

import dataclasses
from typing import Optional

from apache_beam.options.pipeline_options import PipelineOptions

from transforms.limits import RESOLUTIONS, Limits, default_limits


class VideoDatasetOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):
        parser.add_argument("--manifest", default=None,
                            help="Manifest file(s): JSONL, CSV or Parquet, local or gs://; a glob, or several "
                                 "separated by commas. Without it, a built-in demo corpus is made and used.")
        parser.add_argument("--output", default=None,
                            help="Output folder, local or gs://. Default for the demo: ./demo-output")
        parser.add_argument("--media_resolution", default="LOW", type=str.upper, choices=RESOLUTIONS,
                            help="mediaResolution of every example; sets the clip length limit "
                                 "(LOW: 20 min, MEDIUM/HIGH: 5 min). Default LOW.")
        parser.add_argument("--prompt", default=None, help="Prompt for rows that have none.")
        parser.add_argument("--validation_fraction", type=float, default=0.1,
                            help="Share of source videos whose examples go to validation (by a hash of "
                                 "the video, so a video never straddles splits). A row's `split` wins.")
        parser.add_argument("--max_drop_rate", type=float, default=0.10,
                            help="Exit non-zero when more than this share of rows is dropped "
                                 "(the tuning service's own threshold is 10%%).")
        parser.add_argument("--max_file_bytes", type=int, default=None,
                            help="Size limit of one video file. Default 100,000,000.")
        parser.add_argument("--max_clip_seconds", type=float, default=None,
                            help="Length limit of one clip. Default by resolution: 1200 (LOW) or 300.")
        parser.add_argument("--max_height", type=int, default=None,
                            help="Height cap of transcoded clips. Default 480 (LOW) or 720.")
        parser.add_argument("--media_uri_prefix", default=None,
                            help="Write fileUri under this prefix (e.g. gs://bucket/ds/media) instead of the "
                                 "output's media/ folder: for local runs whose media/ you upload yourself.")
        parser.add_argument("--timestamp_decimals", type=int, default=0,
                            help="Fractional digits of MM:SS timestamps in answers (Google recommends 0).")
        parser.add_argument("--num_shards", type=int, default=16,
                            help="Shards of the JSONL, index and drop files.")
        parser.add_argument("--probe_timeout", type=float, default=120.0,
                            help="Seconds one probe may take before the video is dropped.")
        parser.add_argument("--segments", default="cut", choices=("cut", "virtual"),
                            help="cut (default): every clip is its own file. virtual: a source that complies "
                                 "but for its length (or whose rows use a segment) is copied once, and its "
                                 "examples point at it with videoMetadata start/end offsets (README).")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    manifests: tuple[str, ...]
    output: str
    limits: Limits
    prompt: Optional[str]
    validation_fraction: float
    max_drop_rate: float
    media_uri_prefix: Optional[str]
    timestamp_decimals: int
    num_shards: int
    probe_timeout: float
    segments: str = "cut"

    @property
    def media_dir(self) -> str:
        from transforms.storage import join
        return join(self.output, "media")


def validate(opts: VideoDatasetOptions) -> list[str]:
    """Every problem with the options, each saying how to fix it; empty when they are fine."""
    errors = []
    if not opts.output:
        errors.append("--output is required with --manifest (a local folder or gs://bucket/prefix)")
    if not 0 <= opts.validation_fraction < 1:
        errors.append(f"--validation_fraction must be in [0, 1), got {opts.validation_fraction}")
    if not 0 <= opts.max_drop_rate <= 1:
        errors.append(f"--max_drop_rate must be in [0, 1], got {opts.max_drop_rate}")
    if opts.max_file_bytes is not None and opts.max_file_bytes < 1_000_000:
        errors.append(f"--max_file_bytes {opts.max_file_bytes} is too small to hold a video clip (min 1,000,000)")
    if opts.max_clip_seconds is not None and opts.max_clip_seconds <= 5:
        errors.append(f"--max_clip_seconds must be over 5, got {opts.max_clip_seconds}")
    if opts.max_height is not None and opts.max_height < 144:
        errors.append(f"--max_height must be at least 144, got {opts.max_height}")
    if not 0 <= opts.timestamp_decimals <= 3:
        errors.append(f"--timestamp_decimals must be 0 to 3, got {opts.timestamp_decimals}")
    if opts.num_shards < 1:
        errors.append(f"--num_shards must be at least 1, got {opts.num_shards}")
    if opts.media_uri_prefix and "://" not in opts.media_uri_prefix:
        errors.append("--media_uri_prefix must be a URI such as gs://bucket/dataset/media")
    return errors


def run_config(opts: VideoDatasetOptions) -> RunConfig:
    return RunConfig(
        manifests=tuple(p.strip() for p in opts.manifest.split(",") if p.strip()),
        output=opts.output.rstrip("/") if "://" in opts.output else opts.output,
        limits=default_limits(opts.media_resolution, opts.max_file_bytes, opts.max_clip_seconds,
                              opts.max_height),
        prompt=opts.prompt,
        validation_fraction=opts.validation_fraction,
        max_drop_rate=opts.max_drop_rate,
        media_uri_prefix=opts.media_uri_prefix,
        timestamp_decimals=opts.timestamp_decimals,
        num_shards=opts.num_shards,
        probe_timeout=opts.probe_timeout,
        segments=opts.segments,
    )
