# Shared by the boot scripts (sourced, not run): logging and bounded retries.
# The caller has already sent stdout and stderr to its log, then calls boot_init TAG.
# shellcheck shell=bash

BOOT_TAG=boot
boot_init() { BOOT_TAG=$1; }

# To stderr, so that $(command) substitutions capturing a secret never capture a log line.
log() { printf '%s %s: %s\n' "$(date -u +%FT%TZ)" "$BOOT_TAG" "$*" >&2; }

# retry ATTEMPTS DELAY_SECONDS COMMAND...: transient failures (network, repos
# not yet reachable through the NAT) are retried a bounded number of times.
retry() {
  local attempts=$1 delay=$2 n=1
  shift 2
  until "$@"; do
    if ((n >= attempts)); then
      log "giving up after $n attempts: $1"
      return 1
    fi
    log "attempt $n of $attempts failed: $1; retrying in ${delay}s"
    sleep "$delay"
    n=$((n + 1))
  done
}
