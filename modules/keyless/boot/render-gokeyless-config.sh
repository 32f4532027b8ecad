#!/usr/bin/env bash
# Usage: render-gokeyless-config.sh BASE_YAML OUT_YAML < api_key
# Writes gokeyless's config: the non-secret settings generated at synth time
# (hostname = private IP, zone id, port, key directory) plus the Origin CA API key
# read from stdin, so the key never sits in user-data or on a command line.
set -euo pipefail
umask 077

base=${1:?usage: render-gokeyless-config.sh BASE_YAML OUT_YAML < api_key}
out=${2:?usage: render-gokeyless-config.sh BASE_YAML OUT_YAML < api_key}
IFS= read -r api_key || true

# Only characters that need no YAML quoting: anything else is a wrong secret, not a key.
if [[ ! "$api_key" =~ ^[A-Za-z0-9._-]{16,512}$ ]]; then
  echo "render-gokeyless-config: the credential is not an API key (expected 16-512 letters, digits, '.', '_' or '-')" >&2
  exit 1
fi
if grep -q '^origin_ca_api_key:' "$base"; then
  echo "render-gokeyless-config: $base already holds origin_ca_api_key; secrets belong in Secrets Manager only" >&2
  exit 1
fi

tmp=$(mktemp "${out}.XXXXXX")
{
  cat "$base"
  printf 'origin_ca_api_key: %s\n' "$api_key"
} >"$tmp"
mv -f "$tmp" "$out"
