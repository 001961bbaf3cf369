#!/usr/bin/env bash
# The benchmark from a fresh clone, in one command:  bash benchmarks/run.sh [--scale 1] [--per-kind 8] [--write-md]
# Sets up .venv (the pipeline, as dev.sh does) and .venv-v2d (video2dataset 1.3.0 on its own:
# it needs pyarrow<18 and pandas<2.3, which conflict with ours), then runs benchmarks/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."

case " $* " in
  *" -h "*|*" --help "*)  # the flags, without setting up video2dataset first
    bash dev.sh setup
    exec .venv/bin/python -m benchmarks.run --help ;;
esac

bash dev.sh setup
v2d=.venv-v2d
if [ ! -f "$v2d/.installed-1.3.0" ]; then
  python3 -m venv "$v2d"
  "$v2d/bin/python" -m pip install --quiet --upgrade pip
  # --no-deps: its declared dependencies include torch==2.1.2, transformers, decord, OpenCV and
  # bitsandbytes (several GB) for captioning/optical-flow stages that this benchmark does not run;
  # these are the packages its reading, clipping and resizing code imports (see v2d_run.py).
  "$v2d/bin/python" -m pip install --quiet --no-deps "video2dataset==1.3.0"
  "$v2d/bin/python" -m pip install --quiet "numpy<2" "fire<0.6" requests ffmpeg-python yt-dlp "pyarrow<18" \
    fsspec webdataset webvtt-py wandb "pandas<2.3" tqdm timeout-decorator pyyaml braceexpand omegaconf
  touch "$v2d/.installed-1.3.0"
fi
V2D_PYTHON="$PWD/$v2d/bin/python" exec .venv/bin/python -m benchmarks.run "$@"
