"""Shims for video2dataset 1.3.0, loaded by every Python process of its venv (see v2d_run.py)."""
import importlib.util
import sys
import types

# video2dataset modules that only serve ML stages (captions, optical flow, cut detection, whisper,
# the torch dataloader) and import torch/transformers/OpenCV/PySceneDetect at module level.
_ML_ONLY = {
    "video2dataset.subsamplers.caption_subsampler": ("CaptionSubsampler",),
    "video2dataset.subsamplers.optical_flow_subsampler": ("OpticalFlowSubsampler",),
    "video2dataset.subsamplers.cut_detection_subsampler": ("CutDetectionSubsampler",),
    "video2dataset.subsamplers.whisper_subsampler": ("WhisperSubsampler",),
    "video2dataset.dataloader": ("get_video_dataset",),
    "video2dataset.workers.caption_worker": ("CaptionWorker",),
    "video2dataset.workers.optical_flow_worker": ("OpticalFlowWorker",),
    "video2dataset.workers.whisper_worker": ("WhisperWorker",),
    "video2dataset.workers.subset_worker": ("SubsetWorker",),
}


def _unavailable(qualified: str):
    def refuse(*_args, **_kwargs):
        raise RuntimeError(f"{qualified} needs torch & co., not installed for this benchmark")
    return type(qualified.rsplit(".", 1)[1], (), {"__init__": refuse, "__call__": refuse})


def install_shims() -> None:
    if importlib.util.find_spec("torch") is None:
        for module_name, names in _ML_ONLY.items():
            module = types.ModuleType(module_name)
            for name in names:
                setattr(module, name, _unavailable(f"{module_name}.{name}"))
            sys.modules[module_name] = module
    from video2dataset.subsamplers import ResolutionSubsampler

    if not hasattr(ResolutionSubsampler, "encode_formats"):
        ResolutionSubsampler.encode_formats = {"video": "mp4"}


if importlib.util.find_spec("video2dataset") is not None:
    install_shims()
