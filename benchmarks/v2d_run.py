"""Run video2dataset 1.3.0 on the benchmark's jobs. Runs in video2dataset's own venv (stdlib + it).

`python v2d_run.py JOBS.json OUT_DIR`: for each group (see variants.v2d_groups), one
`video2dataset()` call with 2 processes, one sample per shard so that both processes work.

Two shims (benchmarks/v2d_shims/sitecustomize.py, put on PYTHONPATH so that the worker
processes video2dataset spawns get them too), both outside the code paths that run here:
- video2dataset imports every subsampler and worker at start-up, and those for captions,
  optical flow, cut detection, whisper and the torch dataloader import torch, transformers,
  OpenCV or PySceneDetect at module level: gigabytes of wheels (torch==2.1.2 with CUDA) for
  code this benchmark never calls. When torch is absent, stand-ins that raise when used take
  those modules' place; reading, clipping, resizing and writing are video2dataset's own code.
- ResolutionSubsampler has no `encode_formats`, which the download worker reads
  (download_worker.py: `self.subsamplers["video"][0].encode_formats["video"]`): added, "mp4".
"""
from __future__ import annotations

import json
import os
import sys


def config(subsampling: dict) -> dict:
    return {
        "subsampling": subsampling,
        "reading": {"yt_args": {"download_size": 360, "download_audio_rate": 44100, "yt_metadata_args": {}},
                    "timeout": 3600, "sampler": None},
        "storage": {"number_sample_per_shard": 1, "oom_shard_count": 5, "captions_are_subtitles": False},
        "distribution": {"processes_count": 2, "thread_count": 1, "subjob_size": 1000,
                         "distributor": "multiprocessing"},
    }


def main() -> None:
    jobs_path, out = sys.argv[1], sys.argv[2]
    import sitecustomize  # noqa: F401  (benchmarks/v2d_shims, on PYTHONPATH: shims every process)
    import pandas as pd
    from video2dataset import video2dataset

    with open(jobs_path) as handle:
        groups = json.load(handle)
    for group in groups:
        if not group["rows"]:
            continue
        folder = os.path.join(out, group["name"])
        os.makedirs(folder, exist_ok=True)
        os.makedirs(os.path.join(out, "_tmp"), exist_ok=True)
        url_list = os.path.join(folder, "_input.parquet")
        pd.DataFrame(group["rows"]).to_parquet(url_list)
        has_clips = "clips" in group["rows"][0]
        video2dataset(url_list=url_list, output_folder=folder, output_format="files", input_format="parquet",
                      encode_formats={"video": "mp4"}, url_col="url", clip_col="clips" if has_clips else None,
                      tmp_dir=os.path.join(out, "_tmp"), config=config(group["subsampling"]))


if __name__ == "__main__":
    main()
