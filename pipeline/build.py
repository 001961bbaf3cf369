"""Wire the stages into one pipeline. Every decision lives in the stages; this only connects them."""
from __future__ import annotations

import dataclasses
import os
from typing import Optional

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, StandardOptions

from pipeline.options import RunConfig
from transforms.store import storage
from transforms.core.budget import BudgetSettings
from transforms.stages import counters as C
from transforms.stages.build_examples import BuildExamples, ExampleSettings
from transforms.stages.cap_validation import CapValidation
from transforms.stages.counters import Count
from transforms.stages.cut import CutClips, ffmpeg_threads
from transforms.stages.join_videos import JoinVideoParts, SplitVideoRows
from transforms.core.dataset_limits import DatasetTargets
from transforms.core.lanes import local_lanes
from transforms.stages.plan import PlanClips
from transforms.stages.probe import ProbeVideos
from transforms.stages.publish import PublishDataset
from transforms.stages.read_manifest import ReadManifest
from transforms.stages.report import WriteReport
from transforms.stages.write import WriteDataset


def build_pipeline(p: beam.Pipeline, config: RunConfig, manifest_paths: list[str],
                   progress_dir: Optional[str] = None, fingerprint=None) -> None:
    """`progress_dir`: a local folder where the counting steps also keep their totals (progress line);
    `fingerprint`: the run's (a run_fingerprint.Fingerprint, from pipeline/fingerprint.py), recorded
    beside the dataset once published; None: no record."""
    read = p | "ReadManifest" >> ReadManifest(manifest_paths, config.prompt, config.repair_timeline,
                                              config.system_instruction)
    _ = read["count"] | "CountRowsRead" >> Count(lambda n: {C.ROWS_READ: n}, progress_dir)
    # A row of several videos goes on as one part row per video, joined again after BuildExamples.
    rows = read["rows"] | "SplitVideoRows" >> SplitVideoRows(config.profile.videos_per_example,
                                                               config.profile.name)
    by_source = (rows.rows
                 | "KeyBySource" >> beam.Map(lambda row: (row.video_uri, row))
                 | "GroupBySource" >> beam.GroupByKey()
                 | "SpreadSources" >> beam.Reshuffle()
                 | "CountSources" >> Count(lambda _: {C.SOURCES: 1}, progress_dir))
    probed = by_source | "ProbeVideos" >> ProbeVideos(config.probe_timeout,
                                                      cache_dir=storage.join(config.media_dir, "_probe"),
                                                      fetch_policy=config.fetch_policy)
    limits = config.limits
    budget = BudgetSettings(profile=config.profile, media_resolution=limits.media_resolution, fps=config.fps,
                            max_height=config.max_height_override, timestamp_decimals=config.timestamp_decimals,
                            oversize=limits.oversize, max_output_fps=config.max_output_fps)
    max_seconds = budget.clip_limits()
    planned = probed.videos | "PlanClips" >> PlanClips(budget, virtual=config.segments == "virtual")
    sources = probed.sources | "CountProbes" >> Count(C.source_counts, progress_dir)
    planned_clips = planned.clips | "CountClipsPlanned" >> Count(lambda _: {C.CLIPS_PLANNED: 1}, progress_dir)
    # Rows at another resolution (Gemini 3) are planned to their own limits: the cut checks the loosest.
    cut_limits = dataclasses.replace(limits, max_clip_seconds=max(max_seconds.values()))
    workers = p.options.view_as(DirectOptions).direct_num_workers
    runner = p.options.view_as(StandardOptions).runner
    threads = config.ffmpeg_threads or ffmpeg_threads(os.cpu_count() or 1, workers, runner)
    # CutClips groups the clips itself (a remote source's together, to download it once) and so
    # spreads them over the workers: no Reshuffle here.
    cut = planned_clips | "CutClips" >> CutClips(config.media_dir, cut_limits, ffmpeg_threads=threads,
                                                 lanes=local_lanes(workers, runner),
                                                 fetch_policy=config.fetch_policy)
    settings = ExampleSettings(media_resolution=config.limits.media_resolution,
                               validation_fraction=config.validation_fraction, media_dir=config.media_dir,
                               media_uri_prefix=config.media_uri_prefix,
                               timestamp_decimals=config.timestamp_decimals, profile=config.profile,
                               fps=config.fps, max_example_tokens=config.profile.max_example_tokens,
                               max_file_bytes=limits.max_file_bytes)
    clips = cut.clips | "CountClips" >> Count(C.clip_counts, progress_dir)
    built = ({"rows": planned.rows,
              "clips": clips | "KeyClipsBySegment" >> beam.Map(lambda c: (c.spec.segment_key, c)),
              "failures": cut.drops}
             | "BuildExamples" >> BuildExamples(settings))
    # Every row drop after the split meets its row: a several-video row's become its one drop.
    joined = ({"parents": rows.parents, "parts": built.parts,
               "drops": (probed.drops, planned.drops, built.drops) | "PartStageDrops" >> beam.Flatten()}
              | "JoinVideoParts" >> JoinVideoParts(settings))
    drops = ((read["drops"], rows.drops, joined.drops, cut.drops | "ClipDrops" >> beam.Values())
             | "AllDrops" >> beam.Flatten()
             | "CountDrops" >> Count(C.drop_counts, progress_dir))
    examples = ((built.examples, joined.examples)
                | "AllExamples" >> beam.Flatten()
                | "CapValidation" >> CapValidation(config.profile.max_validation_examples))
    targets = DatasetTargets.from_profile(config.profile, config.epochs, config.price_per_million_tokens)
    stats_written = (
        {"examples": examples, "drops": drops, "sources": sources, "count": read["count"],
         "clips": clips}
        | "WriteDataset" >> WriteDataset(config.written_dir, config.num_shards, config.max_drop_rate,
                                         limits.max_file_bytes, max_seconds, targets))
    if config.report != "none":  # written beside stats.json, before publishing: a refused dataset has one too
        stats_written = stats_written | "WriteReport" >> WriteReport(config.written_dir, config.report)
    # Nothing a reader uses changes before the gate passes; a failing gate fails the job.
    clip_uris = clips | "ClipFiles" >> beam.Map(lambda c: c.file_uri)
    _ = stats_written | "PublishDataset" >> PublishDataset(config.output, config.written_dir,
                                                          pointer=bool(config.run_id), fingerprint=fingerprint,
                                                          clip_uris=clip_uris)
