"""Wire the stages into one pipeline. Every decision lives in the stages; this only connects them."""
from __future__ import annotations

import os

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, StandardOptions

from pipeline.options import RunConfig
from transforms.build_examples import BuildExamples, ExampleSettings
from transforms.cut import CutClips, ffmpeg_threads
from transforms.plan import PlanClips
from transforms.probe import ProbeVideos
from transforms.read_manifest import ReadManifest
from transforms.write import WriteDataset


def build_pipeline(p: beam.Pipeline, config: RunConfig, manifest_paths: list[str]) -> None:
    read = p | "ReadManifest" >> ReadManifest(manifest_paths, config.prompt)
    by_source = (read["rows"]
                 | "KeyBySource" >> beam.Map(lambda row: (row.video_uri, row))
                 | "GroupBySource" >> beam.GroupByKey()
                 | "SpreadSources" >> beam.Reshuffle())
    probed = by_source | "ProbeVideos" >> ProbeVideos(config.probe_timeout)
    planned = probed.videos | "PlanClips" >> PlanClips(config.limits, virtual=config.segments == "virtual")
    threads = ffmpeg_threads(os.cpu_count() or 1, p.options.view_as(DirectOptions).direct_num_workers,
                             p.options.view_as(StandardOptions).runner)
    cut = (planned.clips
           | "SpreadClips" >> beam.Reshuffle()
           | "CutClips" >> CutClips(config.media_dir, config.limits, probe_timeout=config.probe_timeout,
                                    ffmpeg_threads=threads))
    settings = ExampleSettings(media_resolution=config.limits.media_resolution,
                               validation_fraction=config.validation_fraction, media_dir=config.media_dir,
                               media_uri_prefix=config.media_uri_prefix,
                               timestamp_decimals=config.timestamp_decimals)
    built = ({"rows": planned.rows,
              "clips": cut.clips | "KeyClipsBySegment" >> beam.Map(lambda c: (c.spec.segment_key, c)),
              "failures": cut.drops}
             | "BuildExamples" >> BuildExamples(settings))
    drops = ((read["drops"], probed.drops, planned.drops,
              cut.drops | "ClipDrops" >> beam.Values(), built.drops)
             | "AllDrops" >> beam.Flatten())
    ({"examples": built.examples, "drops": drops, "sources": probed.sources, "count": read["count"]}
     | "WriteDataset" >> WriteDataset(config.output, config.num_shards, config.max_drop_rate,
                                      config.limits.max_file_bytes, config.limits.max_clip_seconds))
