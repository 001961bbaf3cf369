"""Command-line options, and their validation as a pure function."""
from __future__ import annotations

import dataclasses
import datetime
import os
import re
from typing import Optional

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from transforms.gemini.limits import RESOLUTIONS, Limits, default_limits
from transforms.gemini.profiles import DEFAULT_PROFILE, PROFILES, Profile, get_profile, with_overrides
from transforms.store.fetch import DEFAULT_POLICY, FetchPolicy

REPORT_MODES = ("none", "summary", "full")
# Runners that run here, on this machine's disk: the thumbnails cost nothing extra there.
LOCAL_RUNNERS = (None, "DirectRunner", "BundleBasedDirectRunner")


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
                            help="Seconds one probe may take before the video is dropped "
                                 "(plus 1 s per 25 MB of file, for the packets a larger file holds).")
        parser.add_argument("--run_id", default=None,
                            help="Write the dataset files under OUTPUT/runs/RUN_ID/ and, once they are whole, "
                                 "point OUTPUT/LATEST at them; media/ stays shared across runs. 'auto': the "
                                 "UTC launch time. Default: the dataset files go straight into OUTPUT.")
        parser.add_argument("--always_run", action="store_true",
                            help="Run the pipeline even when nothing changed since the published dataset was made "
                                 "(the same manifests, sources, flags and code, its files and clips as published). "
                                 "Default: such a rerun keeps that dataset, says so, and runs nothing.")
        parser.add_argument("--quiet", action="store_true",
                            help="No live progress line on stderr (it is drawn only when stderr is a terminal).")
        parser.add_argument("--wait", action="store_true",
                            help="With a remote runner (Dataflow): wait until the job ends and exit non-zero "
                                 "when it failed (a failing gate fails the job, its verdict in the error). "
                                 "Default: return once the job is submitted. Local runs always wait.")
        parser.add_argument("--report", default=None, choices=REPORT_MODES,
                            help="report.html beside stats.json: full (thumbnails of the events, taken from the "
                                 "written clips), summary (no thumbnails: reads no clip) or none. Default: full "
                                 "on the DirectRunner, summary elsewhere (thousands of thumbnails cost workers).")
        add_profile_args(parser)
        parser.add_argument("--fps", type=float, default=None,
                            help="Frames per second the model samples, written as videoMetadata.fps, in (0, 24]. "
                                 "Default: not written (the service samples 1 per second).")
        parser.add_argument("--price_per_million_tokens", type=float, default=None,
                            help="Tuning price per million training tokens, for the cost estimate.")
        parser.add_argument("--epochs", type=int, default=1, help="Tuning epochs, for the cost estimate.")
        parser.add_argument("--repair_timeline", default="video", choices=("video", "segment"),
                            help="Repair mode (a manifest of tuning examples): the answers' timestamps count from "
                                 "the video file's first frame (video) or from videoMetadata.startOffset (segment).")
        parser.add_argument("--ffmpeg_threads", type=int, default=0,
                            help="Threads per ffmpeg encode. 0 (default): locally, the cores shared among the "
                                 "DirectRunner's workers; elsewhere, ffmpeg decides. x264's output bytes depend "
                                 "on it, so pin it to compare runs made on different runners or machines.")
        parser.add_argument("--oversize", default="transcode", choices=("transcode", "split", "drop"),
                            help="A source whose clips, copied, would be over --max_file_bytes: transcode "
                                 "(default: a smaller picture, one example per clip), split (stream-copied "
                                 "pieces under the size and length limits: the picture bit-exact, no encoder, "
                                 "more examples) or drop (a drop record `over_size_limit`). A row's `oversize` wins.")
        parser.add_argument("--max_output_fps", type=float, default=None,
                            help="Frame rate cap of transcoded clips (the model samples 1 frame a second unless "
                                 "--fps says more). At least 2 x --fps. Default 30: the source's rate, at most 30.")
        parser.add_argument("--system_instruction", default=None,
                            help="systemInstruction text of every example whose row has no `system_instruction`.")
        parser.add_argument("--segments", default="cut", choices=("cut", "virtual"),
                            help="cut (default): every clip is its own file. virtual: a source that complies "
                                 "but for its length (or whose rows use a segment) is copied once, and its "
                                 "examples point at it with videoMetadata start/end offsets (README).")


def add_profile_args(parser) -> None:
    """The model profile and its overrides; `pipeline.validate` takes the same flags."""
    parser.add_argument("--profile", default=DEFAULT_PROFILE, choices=sorted(PROFILES),
                        help="The Gemini generation to tune: its limits and token rates "
                             "(transforms/gemini/profiles.py). gemini-2.5: one mediaResolution per dataset; "
                             "gemini-3: a row's `media_resolution` is written on its video part.")
    parser.add_argument("--max_example_tokens", type=int, default=None,
                        help="Token cap of one example (input + output). Default 131,072. Annotated rows "
                             "over it are cut into shorter clips; others are dropped.")
    parser.add_argument("--tokens_per_frame", type=int, default=None,
                        help="Override the profile's tokens per frame (every resolution).")
    parser.add_argument("--audio_tokens_per_second", type=int, default=None,
                        help="Override the profile's audio tokens per second (32).")
    parser.add_argument("--max_training_file_bytes", type=int, default=None,
                        help="Size limit of train.jsonl. Default 1,000,000,000.")
    parser.add_argument("--max_validation_examples", type=int, default=None,
                        help="Validation examples kept; the excess moves to train. Default 5,000.")
    parser.add_argument("--max_examples", type=int, default=None,
                        help="Examples a tuning job accepts. Default 300,000.")
    parser.add_argument("--videos_per_example", type=int, default=None,
                        help="Video parts one example may hold (a row's `video_uris`). Default: gemini-2.5 1, "
                             "gemini-3 10.")


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
    run_id: Optional[str] = None
    profile: Profile = get_profile(DEFAULT_PROFILE)
    fps: Optional[float] = None
    epochs: int = 1
    price_per_million_tokens: Optional[float] = None
    repair_timeline: str = "video"
    max_height_override: Optional[int] = None
    segments: str = "cut"
    ffmpeg_threads: int = 0
    report: str = "full"
    system_instruction: Optional[str] = None
    max_output_fps: Optional[float] = None  # as given (also in limits.fps_cap); None: the source rate is kept
    # How URL sources are fetched. No flag sets it: only code (tests serving on 127.0.0.1) does.
    fetch_policy: FetchPolicy = DEFAULT_POLICY

    @property
    def media_dir(self) -> str:
        from transforms.store.storage import join
        return join(self.output, "media")

    @property
    def dataset_dir(self) -> str:
        """Where this run's dataset files go: the output itself, or its runs/RUN_ID/ folder."""
        from transforms.store.storage import join
        return join(self.output, "runs", self.run_id) if self.run_id else self.output

    @property
    def written_dir(self) -> str:
        """Where the run writes its dataset files before the gate: no reader looks there.

        With --run_id, its runs/RUN_ID/ folder (LATEST moves to it on a pass); without, the
        output's _incoming/ folder, copied over the output's files on a pass.
        """
        from transforms.core.publication import STAGING
        from transforms.store.storage import join
        return self.dataset_dir if self.run_id else join(self.output, STAGING)


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
    if opts.ffmpeg_threads < 0:
        errors.append(f"--ffmpeg_threads must be 0 (auto) or more, got {opts.ffmpeg_threads}")
    if opts.num_shards < 1:
        errors.append(f"--num_shards must be at least 1, got {opts.num_shards}")
    if opts.run_id and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", opts.run_id):
        errors.append(f"--run_id must be letters, digits, '.', '_' or '-' (a folder name), got {opts.run_id!r}")
    if opts.media_uri_prefix and "://" not in opts.media_uri_prefix:
        errors.append("--media_uri_prefix must be a URI such as gs://bucket/dataset/media")
    return errors + profile_errors(opts) + output_fps_errors(
        opts.max_output_fps, opts.fps, get_profile(opts.profile).default_fps)


def output_fps_errors(max_output_fps: Optional[float], fps: Optional[float], default_fps: float) -> list[str]:
    """A transcode keeps at least two frames per frame the model samples, so every sample has a frame
    of its own; `default_fps`: what the service samples when --fps is not written."""
    if max_output_fps is None:
        return []
    floor = 2 * (fps or default_fps)
    if max_output_fps < floor:
        return [f"--max_output_fps {max_output_fps:g} is below 2 x the {fps or default_fps:g} frames a "
                f"second the examples declare (--fps); use at least {floor:g}, or lower --fps"]
    return []


def profile_errors(opts) -> list[str]:
    errors = []
    fps = getattr(opts, "fps", None)
    if fps is not None and not 0 < fps <= 24:
        errors.append(f"--fps must be in (0, 24] (the service's range for videoMetadata.fps), got {fps}")
    for name in ("max_example_tokens", "tokens_per_frame", "audio_tokens_per_second", "max_training_file_bytes",
                 "max_validation_examples", "max_examples", "videos_per_example"):
        value = getattr(opts, name, None)
        if value is not None and value < (0 if name in ("audio_tokens_per_second", "max_validation_examples") else 1):
            errors.append(f"--{name} must be positive, got {value}")
    if getattr(opts, "epochs", 1) < 1:
        errors.append(f"--epochs must be at least 1, got {opts.epochs}")
    price = getattr(opts, "price_per_million_tokens", None)
    if price is not None and price < 0:
        errors.append(f"--price_per_million_tokens must be >= 0, got {price}")
    return errors


def profile_from(opts) -> Profile:
    """The chosen profile with every flag the user set applied over its table."""
    return with_overrides(
        get_profile(opts.profile),
        max_example_tokens=opts.max_example_tokens,
        tokens_per_frame=opts.tokens_per_frame,
        audio_tokens_per_second=opts.audio_tokens_per_second,
        max_training_file_bytes=opts.max_training_file_bytes,
        max_validation_examples=opts.max_validation_examples,
        max_examples=opts.max_examples,
        videos_per_example=getattr(opts, "videos_per_example", None),
        max_file_bytes=getattr(opts, "max_file_bytes", None),
        max_clip_seconds=getattr(opts, "max_clip_seconds", None),
    )


def run_config(opts: VideoDatasetOptions) -> RunConfig:
    profile = profile_from(opts)
    return RunConfig(
        manifests=tuple(p.strip() for p in opts.manifest.split(",") if p.strip()),
        # A local output is made absolute: the fileUri values written under it must not depend
        # on where a reader (pipeline.validate, a script uploading media/) is run from.
        output=opts.output.rstrip("/") if "://" in opts.output else os.path.abspath(opts.output),
        limits=dataclasses.replace(
            default_limits(opts.media_resolution, opts.max_file_bytes, opts.max_clip_seconds,
                           opts.max_height, profile=profile),
            **planner_knobs(opts)),
        prompt=opts.prompt,
        validation_fraction=opts.validation_fraction,
        max_drop_rate=opts.max_drop_rate,
        media_uri_prefix=opts.media_uri_prefix,
        timestamp_decimals=opts.timestamp_decimals,
        num_shards=opts.num_shards,
        probe_timeout=opts.probe_timeout,
        run_id=resolve_run_id(opts.run_id),
        profile=profile,
        fps=opts.fps,
        epochs=opts.epochs,
        price_per_million_tokens=opts.price_per_million_tokens,
        repair_timeline=opts.repair_timeline,
        max_height_override=opts.max_height,
        segments=opts.segments,
        ffmpeg_threads=opts.ffmpeg_threads,
        report=report_mode(opts.report, opts.view_as(StandardOptions).runner),
        system_instruction=opts.system_instruction,
        max_output_fps=opts.max_output_fps,
    )


def planner_knobs(opts) -> dict:
    """The Limits fields the planner's choices flags set (every resolution's limits get them)."""
    knobs = {"oversize": opts.oversize}
    if opts.max_output_fps is not None:
        knobs["fps_cap"] = float(opts.max_output_fps)
    return knobs


def report_mode(chosen: Optional[str], runner: Optional[str]) -> str:
    """--report as given, else full on a local runner and summary on a remote one."""
    if chosen:
        return chosen
    return "full" if runner in LOCAL_RUNNERS else "summary"


def resolve_run_id(run_id: Optional[str], now: Optional[datetime.datetime] = None) -> Optional[str]:
    """'auto' becomes the launch time, so a scheduled template run gets a fresh folder each night."""
    if run_id != "auto":
        return run_id
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ")
