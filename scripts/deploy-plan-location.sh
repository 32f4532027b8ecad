#!/usr/bin/env bash
# Prints where the deploy workflow keeps one environment's saved plans between its plan
# job and its apply job: `location=s3://<state bucket>/<custody prefix>/plans` and
# `kms=<custody KMS key>`, read from envs/<env>.yaml. Saved plans hold every value in
# clear text (CA keys included), so they live next to custody state, encrypted with the
# custody key, where only the custody-drift (writes) and deploy (reads) roles reach them;
# never in a workflow artifact, which anyone who can read the repository can download.
set -euo pipefail
cd "$(dirname "$0")/.."

env_name="${1:?usage: scripts/deploy-plan-location.sh <env>}"
file="envs/${env_name}.yaml"
if [[ ! -f "$file" ]]; then
  echo "no environment file $file" >&2
  exit 1
fi
mapfile -t fields < <(yq -r '.backend.type, .backend.bucket, (.backend.custodyKeyPrefix // (.backend.keyPrefix + "-custody")), .backend.custodyKmsKeyId' "$file")
if [[ "${fields[0]}" != "s3" ]]; then
  echo "$file: backend.type is ${fields[0]}, not s3: only environments with S3 state are deployed by the workflow" >&2
  exit 1
fi
echo "location=s3://${fields[1]}/${fields[2]}/plans"
echo "kms=${fields[3]}"
