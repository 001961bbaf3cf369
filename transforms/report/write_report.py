"""Write `report.html` beside a dataset's stats.json: read the records, add the pictures, render."""
from __future__ import annotations

from typing import Optional

from transforms.report.model import Caps, build_report, with_pictures
from transforms.report.read_output import dataset_dir_of, read_records
from transforms.report.render import render_html
from transforms.report.thumbnails import thumbnails
from transforms.store import storage

REPORT_NAME = "report.html"


def write_report(output: str, mode: str = "full", destination: Optional[str] = None,
                 caps: Caps = Caps()) -> str:
    """Render the report of a finished run at `output` (local or gs://); return where it went.

    `summary` reads only the dataset's own files; `full` also reads each shown clip once for
    its thumbnails.
    """
    dataset_dir = dataset_dir_of(output)
    report = build_report(read_records(dataset_dir), mode, caps)
    if mode == "full":
        pictures, problems = thumbnails(report.strips.strips, dataset_dir)
        report = with_pictures(report, pictures, problems)
    destination = destination or storage.join(dataset_dir, REPORT_NAME)
    storage.write_bytes(destination, render_html(report).encode("utf-8"))
    return destination
