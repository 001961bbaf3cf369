"""How much a rerun and a 10%-new run cost against the first run, all on gs:// (the emulator).

    python -m benchmarks.incremental_gcs

Prints, for each run: wall seconds, CPU seconds of child processes (ffmpeg and the probe),
clips made vs reused and sources probed vs reused. No assertions: the tests check behaviour
(tests/gcs/test_incremental.py); this prints figures.
"""
from __future__ import annotations

import json
import os
import resource
import tempfile
import time

from pipeline.synthetic_media import CORPUS, BIG, Event, VideoSpec, build_corpus, make_video
from tests.gcs.corpus import upload_corpus
from tests.gcs.emulator import BUCKET, read_text, run_emulator, upload


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_run(label: str, manifest: str, out: str) -> None:
    from pipeline.run import run
    wall, cpu = time.monotonic(), _children_cpu()
    # The dataset is measured; the report's pass (its thumbnails download clips) is extra.
    code = run(["--manifest", manifest, "--output", out, "--media_resolution", "LOW", "--report", "none"])
    wall, cpu = time.monotonic() - wall, _children_cpu() - cpu
    stats = json.loads(read_text(f"{out}/stats.json"))
    print(f"{label:<22} exit {code}  wall {wall:6.1f}s  child CPU {cpu:6.1f}s  "
          f"clips made {stats['clips_made']:>3} reused {stats['clips_reused']:>3}  "
          f"probes made {stats['probes_made']:>3} reused {stats['probes_reused']:>3}  rows {stats['rows_in']}",
          flush=True)


def main() -> None:
    work = tempfile.mkdtemp(prefix="bench-incremental-")
    corpus = os.path.join(os.path.expanduser("~"), ".cache", "gemini-video-dataset", "bench-incremental")
    manifest_local = build_corpus(corpus, [s for s in CORPUS if s is not BIG])
    emulator = run_emulator(work)
    next(emulator)
    try:
        manifest = upload_corpus(manifest_local, "bench", os.path.join(work, "manifest.jsonl"))
        out = f"gs://{BUCKET}/bench-out"
        _timed_run("first run", manifest, out)
        _timed_run("rerun, same manifest", manifest, out)
        with open(os.path.join(work, "manifest.jsonl"), encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle]
        spec = VideoSpec(name="bench_new.avi", seconds=30, video_codec="mpeg4", audio_codec="mp3",
                         events=(Event(3, 6, "red"),))
        new_uri = upload(make_video(work, spec), f"gs://{BUCKET}/bench/{spec.name}")
        rows.append({"id": "bench_new", "video_uri": new_uri, "prompt": "When is it red?",
                     "annotations": [e.annotation() for e in spec.events]})
        plus = os.path.join(work, "manifest-plus.jsonl")
        with open(plus, "w", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(r) + "\n" for r in rows))
        _timed_run(f"+{1 / (len(rows) - 1):.0%} new rows", upload(plus, f"gs://{BUCKET}/bench/plus.jsonl"), out)
    finally:
        emulator.close()


if __name__ == "__main__":
    main()
