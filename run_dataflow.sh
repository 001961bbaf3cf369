#!/usr/bin/env bash
# Put the pipeline on Dataflow.
#   bash run_dataflow.sh build    [options]                        build and push the worker image
#   bash run_dataflow.sh run      [options] -- [pipeline flags]    launch one job (builds the image first
#                                                                  unless --no-build)
#   bash run_dataflow.sh template [options]                        build the Flex Template spec
#   bash run_dataflow.sh schedule [options]                        build the template, then a Cloud
#                                                                  Scheduler job that launches it
# Options (each also an environment variable of the same name in capitals, e.g. REGION=...):
#   --project P          GCP project (default: gcloud's configured project)
#   --region R           Dataflow, Artifact Registry and Scheduler region (default us-central1)
#   --bucket B           bucket for temp, staging and the template spec (required)
#   --image URI          worker image (default REGION-docker.pkg.dev/P/gemini-video-dataset/worker:TAG)
#   --tag T              image tag (default: git commit, else "latest")
#   --machine-type M     worker machine (default n2-highcpu-8: ffmpeg wants cores, not memory)
#   --disk-size-gb N     worker disk (default 200: whole sources are streamed to scratch to be cut)
#   --max-workers N      autoscaling cap (default 20)
#   --service-account SA worker and scheduler service account email (default: none, project default)
#   --manifest URI --output URI --media-resolution R    the job's inputs (schedule/run)
#   --schedule CRON      when the scheduled job runs (default "0 3 * * *")
#   --time-zone TZ       the schedule's time zone (default Etc/UTC)
#   --job-name NAME      Dataflow job / Scheduler job name (default gemini-video-dataset[-nightly])
#   --builder B          cloudbuild (default) or docker
#   --no-build           run/schedule without building the image first
#   --wait               run: wait until the job ends; exit non-zero when it failed (a failing
#                        gate fails the job, its verdict in the error). Without it the launcher
#                        returns once the job is submitted, and only the job's state tells
#   --dry-run            print every command instead of running it
#   -h, --help           this text
# Beam's version comes from setup.py and must match the Dockerfile's base image.
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "run_dataflow.sh: $*" >&2; exit 2; }
# The comment at the top of this file is the usage.
usage() { sed -n '2,/^# Beam/p' "$0" | sed 's/^# \{0,1\}//'; }

command=${1:-}
case "$command" in
  -h|--help|help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac
shift

PROJECT=${PROJECT:-}
REGION=${REGION:-us-central1}
BUCKET=${BUCKET:-}
IMAGE=${IMAGE:-}
TAG=${TAG:-}
MACHINE_TYPE=${MACHINE_TYPE:-n2-highcpu-8}
DISK_SIZE_GB=${DISK_SIZE_GB:-200}
MAX_WORKERS=${MAX_WORKERS:-20}
SERVICE_ACCOUNT=${SERVICE_ACCOUNT:-}
MANIFEST=${MANIFEST:-}
OUTPUT=${OUTPUT:-}
MEDIA_RESOLUTION=${MEDIA_RESOLUTION:-LOW}
SCHEDULE=${SCHEDULE:-0 3 * * *}
TIME_ZONE=${TIME_ZONE:-Etc/UTC}
JOB_NAME=${JOB_NAME:-}
BUILDER=${BUILDER:-cloudbuild}
BUILD=1
DRY_RUN=0
WAIT=0
PIPELINE_ARGS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --project) PROJECT=$2; shift 2 ;;
    --region) REGION=$2; shift 2 ;;
    --bucket) BUCKET=$2; shift 2 ;;
    --image) IMAGE=$2; shift 2 ;;
    --tag) TAG=$2; shift 2 ;;
    --machine-type) MACHINE_TYPE=$2; shift 2 ;;
    --disk-size-gb) DISK_SIZE_GB=$2; shift 2 ;;
    --max-workers) MAX_WORKERS=$2; shift 2 ;;
    --service-account) SERVICE_ACCOUNT=$2; shift 2 ;;
    --manifest) MANIFEST=$2; shift 2 ;;
    --output) OUTPUT=$2; shift 2 ;;
    --media-resolution) MEDIA_RESOLUTION=$2; shift 2 ;;
    --schedule) SCHEDULE=$2; shift 2 ;;
    --time-zone) TIME_ZONE=$2; shift 2 ;;
    --job-name) JOB_NAME=$2; shift 2 ;;
    --builder) BUILDER=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --wait) WAIT=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; PIPELINE_ARGS=("$@"); break ;;
    *) die "unknown option $1 (pipeline flags go after --)" ;;
  esac
done

# Print a command, shell-quoted so it can be pasted; run it unless --dry-run.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  if [ "$DRY_RUN" -eq 0 ]; then
    "$@"
  fi
}

if [ -z "$PROJECT" ]; then
  if [ "$DRY_RUN" -eq 0 ] && command -v gcloud >/dev/null; then
    PROJECT=$(gcloud config get-value project 2>/dev/null || true)
  fi
  [ -n "$PROJECT" ] || die "--project is required (or: gcloud config set project P)"
fi
[ -n "$BUCKET" ] || die "--bucket is required (temp, staging and the template spec live there)"
BUCKET=${BUCKET#gs://}
if [ -z "$TAG" ]; then
  TAG=$(git rev-parse --short=12 HEAD 2>/dev/null || echo latest)
fi
IMAGE=${IMAGE:-$REGION-docker.pkg.dev/$PROJECT/gemini-video-dataset/worker:$TAG}
TEMP_LOCATION=gs://$BUCKET/dataflow/temp
STAGING_LOCATION=gs://$BUCKET/dataflow/staging
TEMPLATE_SPEC=gs://$BUCKET/dataflow/templates/gemini-video-dataset.json
PYTHON=${PYTHON:-python3}
if [ -x .venv/bin/python ]; then
  PYTHON=.venv/bin/python
fi

build_image() {
  case "$BUILDER" in
    cloudbuild) run gcloud builds submit --project "$PROJECT" --region "$REGION" --tag "$IMAGE" . ;;
    docker)
      run docker build --tag "$IMAGE" .
      run docker push "$IMAGE" ;;
    *) die "--builder must be cloudbuild or docker, not $BUILDER" ;;
  esac
}

build_template() {
  run gcloud dataflow flex-template build "$TEMPLATE_SPEC" \
    --project "$PROJECT" \
    --image "$IMAGE" \
    --sdk-language PYTHON \
    --metadata-file dataflow/flex_template_metadata.json
}

launch_job() {
  [ -n "$MANIFEST" ] || die "--manifest is required"
  [ -n "$OUTPUT" ] || die "--output is required"
  local service_account=()
  if [ -n "$SERVICE_ACCOUNT" ]; then
    service_account=(--service_account_email "$SERVICE_ACCOUNT")
  fi
  local wait=()
  if [ "$WAIT" -eq 1 ]; then
    wait=(--wait)
  fi
  run "$PYTHON" -m pipeline.run \
    --runner DataflowRunner \
    --project "$PROJECT" \
    --region "$REGION" \
    --job_name "${JOB_NAME:-gemini-video-dataset}" \
    --temp_location "$TEMP_LOCATION" \
    --staging_location "$STAGING_LOCATION" \
    --sdk_container_image "$IMAGE" \
    --sdk_location container \
    --machine_type "$MACHINE_TYPE" \
    --disk_size_gb "$DISK_SIZE_GB" \
    --max_num_workers "$MAX_WORKERS" \
    "${service_account[@]}" \
    --manifest "$MANIFEST" \
    --output "$OUTPUT" \
    --media_resolution "$MEDIA_RESOLUTION" \
    "${wait[@]}" \
    "${PIPELINE_ARGS[@]}"
}

# The body Cloud Scheduler POSTs to Dataflow's flexTemplates:launch: every run gets run_id=auto,
# so it writes under runs/<launch time>/ and moves LATEST only once its dataset is whole.
launch_body() {
  "$PYTHON" - "$TEMPLATE_SPEC" "${JOB_NAME:-gemini-video-dataset-nightly}" "$MANIFEST" "$OUTPUT" \
    "$MEDIA_RESOLUTION" "$IMAGE" "$MACHINE_TYPE" "$DISK_SIZE_GB" "$MAX_WORKERS" "$TEMP_LOCATION" \
    "$STAGING_LOCATION" "$SERVICE_ACCOUNT" <<'PY'
import json, sys
spec, job, manifest, output, resolution, image, machine, disk, workers, temp, staging, account = sys.argv[1:]
environment = {"sdkContainerImage": image, "machineType": machine, "diskSizeGb": int(disk),
               "maxWorkers": int(workers), "tempLocation": temp, "stagingLocation": staging}
if account:
    environment["serviceAccountEmail"] = account
print(json.dumps({"launchParameter": {
    "jobName": job, "containerSpecGcsPath": spec, "environment": environment,
    "parameters": {"manifest": manifest, "output": output, "media_resolution": resolution,
                   "run_id": "auto"}}}, sort_keys=True))
PY
}

schedule_job() {
  [ -n "$MANIFEST" ] || die "--manifest is required"
  [ -n "$OUTPUT" ] || die "--output is required"
  [ -n "$SERVICE_ACCOUNT" ] || die "--service-account is required: Cloud Scheduler calls Dataflow as it"
  local body
  body=$(launch_body)
  run gcloud scheduler jobs create http "${JOB_NAME:-gemini-video-dataset-nightly}" \
    --project "$PROJECT" \
    --location "$REGION" \
    --schedule "$SCHEDULE" \
    --time-zone "$TIME_ZONE" \
    --http-method POST \
    --uri "https://dataflow.googleapis.com/v1b3/projects/$PROJECT/locations/$REGION/flexTemplates:launch" \
    --oauth-service-account-email "$SERVICE_ACCOUNT" \
    --oauth-token-scope https://www.googleapis.com/auth/cloud-platform \
    --headers Content-Type=application/json \
    --message-body "$body"
}

case "$command" in
  build) build_image ;;
  run)
    if [ "$BUILD" -eq 1 ]; then build_image; fi
    launch_job ;;
  template)
    if [ "$BUILD" -eq 1 ]; then build_image; fi
    build_template ;;
  schedule)
    if [ "$BUILD" -eq 1 ]; then build_image; fi
    build_template
    schedule_job ;;
  *) die "unknown command $command: build, run, template or schedule" ;;
esac
