"""The Dataflow job run_dataflow.sh would launch, built for real with --dry_run=True.

Beam's DataflowRunner translates and pickles every step; the job description (worker pool,
container image, options) is then made and its files staged exactly as for a submission,
with staging and temp locations on the GCS emulator. Nothing is sent to Dataflow.
"""
from __future__ import annotations

import os
import shlex
import subprocess

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.runners.dataflow.internal import apiclient

from pipeline.build import build_pipeline
from pipeline.options import VideoDatasetOptions, run_config
from tests.gcs.emulator import BUCKET, object_generations, storage_client, upload

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE = "europe-west4-docker.pkg.dev/test-project/gemini-video-dataset/worker:abc123"


def script_command(command: str, *args: str) -> list[list[str]]:
    """The commands `run_dataflow.sh COMMAND --dry-run ARGS` prints, split into arguments."""
    done = subprocess.run(["bash", os.path.join(REPO, "run_dataflow.sh"), command, "--dry-run", *args],
                          capture_output=True, text=True, check=True, cwd=REPO)
    return [shlex.split(line[2:]) for line in done.stdout.splitlines() if line.startswith("+ ")]


@pytest.fixture(scope="module")
def dry_run_job(gcs_emulator, tmp_path_factory):
    local = tmp_path_factory.mktemp("dry-run") / "manifest.jsonl"
    local.write_text('{"id": "a", "video_uri": "a.mp4", "prompt": "p", "annotations": []}\n')
    manifest = upload(str(local), f"gs://{BUCKET}/dry-run/manifest.jsonl")
    (command,) = script_command("run", "--no-build", "--project", "test-project", "--region", "europe-west4",
                                "--bucket", BUCKET, "--image", IMAGE, "--max-workers", "7",
                                "--manifest", manifest, "--output", f"gs://{BUCKET}/dry-run/out",
                                "--", "--num_shards", "4")
    assert command[1:3] == ["-m", "pipeline.run"]
    options = PipelineOptions(command[3:] + ["--dry_run=True"])
    config = run_config(options.view_as(VideoDatasetOptions))
    p = beam.Pipeline(options=options)
    build_pipeline(p, config, [manifest])
    result = p.run()  # dry run: translated and pickled, not submitted
    job = result.job
    apiclient.DataflowApplicationClient(options, job.root_staging_location).create_job_description(job)
    return job


def test_every_step_is_translated(dry_run_job):
    names = {t.unique_name for t in dry_run_job.proto_pipeline.components.transforms.values()}
    for stage in ("ReadManifest", "ProbeVideos", "PlanClips", "CutClips", "BuildExamples", "WriteDataset"):
        assert stage in names


def test_workers_run_our_image(dry_run_job):
    environments = dry_run_job.proto_pipeline.components.environments.values()
    images = {beam_runner_api_pb2.DockerPayload.FromString(e.payload).container_image for e in environments
              if e.urn == "beam:env:docker:v1"}
    assert images == {IMAGE}
    (pool,) = dry_run_job.proto.environment.worker_pools
    assert [c.container_image for c in pool.sdk_harness_container_images] == [IMAGE]


def test_worker_pool_has_the_video_defaults_and_overrides(dry_run_job):
    (pool,) = dry_run_job.proto.environment.worker_pools
    assert pool.machine_type == "n2-highcpu-8"
    assert pool.disk_size_gb == 200
    assert pool.autoscaling_settings.max_num_workers == 7  # overridden on the command line


def test_options_reach_the_workers(dry_run_job):
    options = dict(dry_run_job.proto.environment.sdk_pipeline_options["options"])
    assert options["sdk_location"] == "container"
    assert options["manifest"] == f"gs://{BUCKET}/dry-run/manifest.jsonl"
    assert options["output"] == f"gs://{BUCKET}/dry-run/out"
    assert options["num_shards"] == 4
    assert options["region"] == "europe-west4"
    assert options["temp_location"].startswith(f"gs://{BUCKET}/dataflow/temp/")


def test_the_job_is_staged_on_gcs(dry_run_job):
    staged = object_generations(f"gs://{BUCKET}/dataflow/staging")
    (pipeline_pb,) = [uri for uri in staged if uri.endswith("/pipeline.pb")]
    name = pipeline_pb[len(f"gs://{BUCKET}/"):]
    proto = beam_runner_api_pb2.Pipeline.FromString(storage_client().bucket(BUCKET).blob(name).download_as_bytes())
    assert proto == dry_run_job.proto_pipeline


def test_schedule_creates_a_scheduler_job_that_launches_the_template():
    import json
    commands = script_command("schedule", "--no-build", "--project", "p", "--bucket", "b", "--image", IMAGE,
                              "--manifest", "gs://b/m.jsonl", "--output", "gs://b/ds",
                              "--service-account", "runner@p.iam.gserviceaccount.com", "--schedule", "0 2 * * *")
    template, scheduler = commands
    assert template[:4] == ["gcloud", "dataflow", "flex-template", "build"]
    assert template[template.index("--image") + 1] == IMAGE
    assert scheduler[:5] == ["gcloud", "scheduler", "jobs", "create", "http"]
    assert scheduler[scheduler.index("--schedule") + 1] == "0 2 * * *"
    assert scheduler[scheduler.index("--uri") + 1].endswith("/locations/us-central1/flexTemplates:launch")
    body = json.loads(scheduler[scheduler.index("--message-body") + 1])["launchParameter"]
    assert body["containerSpecGcsPath"] == template[4]
    assert body["parameters"]["run_id"] == "auto"
    assert body["environment"]["sdkContainerImage"] == IMAGE
    assert body["environment"]["diskSizeGb"] == 200
