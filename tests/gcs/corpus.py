"""The end-to-end test corpus, uploaded to the emulator: every source but the 128 MB one.

The big source only tests the transcode of an oversize file, which the local end-to-end test
covers; sending it through an in-memory emulator would cost a minute of the suite's 2 cores.
"""
from __future__ import annotations

import json
import os

from pipeline.synthetic_media import BIG
from tests.gcs.emulator import BUCKET, upload

SKIPPED_SOURCES = {BIG.name}


def upload_corpus(corpus_manifest: str, prefix: str, local_copy: str) -> str:
    """Upload the sources and a manifest of the rows that use them; return the gs:// manifest.

    The manifest keeps relative video paths, so they resolve against its gs:// folder. A local
    copy of the manifest is written to `local_copy` for the checks.
    """
    folder = os.path.dirname(corpus_manifest)
    rows = []
    with open(corpus_manifest, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["video_uri"] not in SKIPPED_SOURCES:
                rows.append(row)
    for name in sorted({row["video_uri"] for row in rows}):
        upload(os.path.join(folder, name), f"gs://{BUCKET}/{prefix}/{name}")
    with open(local_copy, "w", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(row) + "\n" for row in rows))
    return upload(local_copy, f"gs://{BUCKET}/{prefix}/manifest.jsonl")
