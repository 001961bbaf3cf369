"""WriteReport: report.html, once stats.json is written (the report reads the dataset back).

A step of the pipeline rather than of the launcher, so that a Dataflow job writes its report
too: its launcher returns when the job is submitted and may not see the output at all.
"""
from __future__ import annotations

import dataclasses

import apache_beam as beam

from transforms.report.write_report import write_report


@dataclasses.dataclass
class WriteReport(beam.PTransform):
    """The stats WriteDataset emits once stats.json (its last file) is written -> the same, after report.html."""

    dataset_dir: str
    mode: str  # "summary" or "full"

    def expand(self, stats_written):
        return stats_written | "RenderReport" >> beam.Map(_render, self.dataset_dir, self.mode)


def _render(stats: dict, dataset_dir: str, mode: str) -> dict:
    """Write report.html; pass the stats on, so that publishing waits for the report."""
    write_report(dataset_dir, mode)
    return stats
