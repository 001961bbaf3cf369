# The Dataflow worker image (and the Flex Template launcher: the same image serves both).
#
# The Beam version here must match BEAM_VERSION in setup.py: workers run the SDK of this
# image, and the pipeline is built by the SDK setup.py installs. `pip check` below fails the
# build when they disagree.
ARG BEAM_VERSION=2.77.0
ARG LAUNCHER_IMAGE=gcr.io/dataflow-templates-base/python311-template-launcher-base:latest

FROM ${LAUNCHER_IMAGE} AS launcher

FROM apache/beam_python3.11_sdk:${BEAM_VERSION}

# The Flex Template launcher binary: lets this image also launch the job from a template.
COPY --from=launcher /opt/google/dataflow/python_template_launcher /opt/google/dataflow/python_template_launcher

WORKDIR /opt/gemini-video-dataset
COPY setup.py ./
COPY pipeline ./pipeline
COPY transforms ./transforms
COPY dataflow/template_main.py ./template_main.py

# Our package and its ffmpeg (inside the imageio-ffmpeg wheel: no apt package needed). The
# image's apache-beam already satisfies setup.py's pin, so pip keeps it.
RUN pip install --no-cache-dir . \
    && pip check \
    && python -c "import imageio_ffmpeg, subprocess; subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), '-version'], check=True)"

ENV FLEX_TEMPLATE_PYTHON_PY_FILE=/opt/gemini-video-dataset/template_main.py \
    GRPC_VERBOSITY=ERROR \
    PYTHONPATH=/opt/gemini-video-dataset

# Beam's boot program stays the entrypoint: Dataflow starts the SDK harness through it.
ENTRYPOINT ["/opt/apache/beam/boot"]
