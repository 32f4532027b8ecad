#!/usr/bin/env bash
# Prints `matrix=<JSON list>` for the drift workflow: every envs/*.yaml whose state is
# in S3 (a real, deployed environment; `local` keeps state on disk and runs against an
# emulator, so there is nothing for CI to compare). A new environment file is picked
# up without editing the workflow. With an argument other than "all", only that
# environment, which must be one of them.
set -euo pipefail
cd "$(dirname "$0")/.."

wanted="${1:-all}"
files=(envs/*.yaml)
# One yq call for every file (it prints one backend type per file, in order).
mapfile -t backends < <(yq -r '.backend.type' "${files[@]}")
if ((${#backends[@]} != ${#files[@]})); then
  echo "could not read backend.type of every file under envs/" >&2
  exit 1
fi
envs=()
for i in "${!files[@]}"; do
  if [[ "${backends[$i]}" == "s3" ]]; then envs+=("$(basename "${files[$i]}" .yaml)"); fi
done
if ((${#envs[@]} == 0)); then
  echo "no environment with an S3 backend under envs/" >&2
  exit 1
fi
if [[ "$wanted" != "all" ]]; then
  found=""
  for name in "${envs[@]}"; do [[ "$name" == "$wanted" ]] && found="$name"; done
  if [[ -z "$found" ]]; then
    echo "unknown environment \"$wanted\"; expected all or one of: ${envs[*]}" >&2
    exit 1
  fi
  envs=("$found")
fi
printf 'matrix=%s\n' "$(printf '%s\n' "${envs[@]}" | jq -R . | jq -cs .)"
