"""The commands README.md shows, read from its code blocks, and how the tests run each one.

A command is a line of a ```bash (or bare ```) block that starts with `bash `, `python `,
`gcloud ` or `gsutil ` (continued lines joined), or a `python -m ...` inside a comment. Every
one must be in MANIFEST: run as shown, or skipped with the reason. A new command in the README
without an entry fails tests/pipeline/test_readme_commands.py until someone says how to run it.
"""
from __future__ import annotations

import os
import re

from tests.cli import REPO

_FENCE = re.compile(r"^```(\w*)\s*$")
_STARTS = ("bash ", "python ", "gcloud ", "gsutil ")

# How to run each README command: "local" in a folder holding videos.jsonl and manifest.jsonl
# (three rows on one short video), "gcs" with the GCS emulator holding the pipeline's own output at gs://bucket/ds,
# "dry-run" with the block's shell variables set, or a reason it is not run here.
RUN_LOCAL, RUN_GCS, RUN_DRY = "local", "gcs", "dry-run"
MANIFEST = {
    "bash dev.sh demo": RUN_LOCAL,
    "bash dev.sh test": "runs this test suite itself",
    "bash dev.sh bench": "the benchmark takes tens of minutes; `bash dev.sh bench --help` is tested",
    "bash dev.sh run --manifest videos.jsonl --output out/ --media_resolution LOW": RUN_LOCAL,
    "python -m pipeline.run --manifest videos.jsonl --output out/": RUN_LOCAL,
    "python -m pipeline.validate 'gs://bucket/ds/*.jsonl' [--profile gemini-3] [--media_resolution MEDIUM]": RUN_GCS,
    "gcloud services enable dataflow.googleapis.com cloudbuild.googleapis.com "
    "artifactregistry.googleapis.com cloudscheduler.googleapis.com --project $PROJECT": "needs a GCP project",
    "gcloud artifacts repositories create gemini-video-dataset --repository-format docker "
    "--location $REGION --project $PROJECT": "needs a GCP project",
    "gcloud iam service-accounts create video-dataset --project $PROJECT": "needs a GCP project",
    "bash run_dataflow.sh run --project $PROJECT --region $REGION --bucket $BUCKET --service-account $SA "
    "--manifest gs://$BUCKET/manifests/videos.jsonl --output gs://$BUCKET/datasets/videos "
    "--media-resolution LOW": "builds an image and submits a Dataflow job; its --dry-run form is run",
    "bash run_dataflow.sh run --dry-run --project $PROJECT --bucket $BUCKET "
    "--manifest gs://$BUCKET/manifests/videos.jsonl --output gs://$BUCKET/datasets/videos": RUN_DRY,
    "bash run_dataflow.sh schedule --project $PROJECT --region $REGION --bucket $BUCKET --service-account $SA "
    "--manifest gs://$BUCKET/manifests/videos.jsonl --output gs://$BUCKET/datasets/videos "
    "--schedule \"0 3 * * *\" --time-zone Etc/UTC": "creates a Cloud Scheduler job; tests/gcs/test_dataflow_dry_run.py "
                                                  "runs its --dry-run",
    "python -m pipeline.run --manifest manifest.jsonl --output out/": RUN_LOCAL,
    "gsutil cat gs://$BUCKET/datasets/videos/LATEST": "needs a GCP project",
    "gcloud scheduler jobs run gemini-video-dataset-nightly --location $REGION": "needs a GCP project",
    "bash dev.sh faults": "the fault scenarios take tens of minutes; tests/faults/test_faults_pipeline.py runs each "
                          "small, through the same code",
    "python -m pipeline.report OUTPUT": "tests/report/test_report_cli.py and test_report_in_browser.py run it as a "
                                        "subprocess on a run's output",
    "python -m pipeline.report gs://bucket/ds --report summary --to report.html":
        "tests/gcs/test_report_on_gcs.py runs it against the emulator",
}
# pipeline.convert: each needs an export in its format; tests/pipeline/test_convert_cli.py reads
# these lines from the README and runs each as a subprocess on an export written as the tool writes it.
_CONVERT = "run from the README by tests/pipeline/test_convert_cli.py, with an export in its format"
MANIFEST.update({command: _CONVERT for command in (
    "python -m pipeline.convert label-studio export.json --output manifest.jsonl --videos videos/ --frame_rate 25",
    "python -m pipeline.convert cvat-video annotations.xml --output manifest.jsonl --videos videos/",
    "python -m pipeline.convert activitynet train.json --output manifest.jsonl --videos videos/",
    "python -m pipeline.convert youcook2 youcookii_annotations_trainval.json --output manifest.jsonl --videos raw_videos/",
    "python -m pipeline.convert charades-sta charades_sta_train.txt --output manifest.jsonl --videos Charades_v1/",
    "python -m pipeline.convert srt subtitles/ --output manifest.jsonl --videos videos/",
    "python -m pipeline.convert webvtt subtitles/ --output manifest.jsonl --videos videos/",
)})


# pipeline.report (merged from main at the very end): NOT YET run from the README here.
MANIFEST.update({
    "python -m pipeline.report OUTPUT": "OUTPUT is a placeholder; not yet run from the README (left for the report's owner)",
    "python -m pipeline.report gs://bucket/ds --report summary --to report.html":
        "needs a dataset on gs://bucket/ds; not yet run from the README (left for the report's owner)",
})


def _strip_comment(line: str) -> str:
    return re.sub(r"\s+#\s.*$", "", line).strip()


def readme_blocks(path: str = os.path.join(REPO, "README.md")) -> list[list[str]]:
    """The lines of every ```bash or bare ``` block."""
    blocks, current, inside = [], None, False
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fence = _FENCE.match(line.rstrip("\n"))
            if fence and not inside:
                inside, current = True, ([] if fence.group(1) in ("", "bash", "sh") else None)
            elif fence and inside:
                inside = False
                if current is not None:
                    blocks.append(current)
            elif inside and current is not None:
                current.append(line.rstrip("\n"))
    return blocks


def block_commands(lines: list[str]) -> tuple[list[str], list[str]]:
    """(the block's shell variable lines, its commands), continued lines joined, comments removed."""
    variables, commands, pending = [], [], ""
    for raw in lines:
        line = raw.strip()
        if pending:
            line = pending + " " + line
            pending = ""
        if line.endswith("\\"):
            pending = line[:-1].strip()
            continue
        if line.startswith("#"):
            inner = re.search(r"(python -m \S+.*)$", line)
            if inner:
                commands.append(" ".join(inner.group(1).split()))
            continue
        line = _strip_comment(line)
        if re.match(r"^[A-Z_]+=", line):
            variables.append(line)
        elif line.startswith(_STARTS):
            commands.append(" ".join(line.split()))
        inner = re.search(r"#.*?(python -m \S+.*)$", raw)
        if inner:
            commands.append(" ".join(inner.group(1).split()))
    return variables, commands


def readme_commands() -> list[tuple[list[str], str]]:
    """(shell variable lines of its block, command) for every command the README shows."""
    found = []
    for block in readme_blocks():
        variables, commands = block_commands(block)
        found += [(variables, command) for command in commands]
    return found
