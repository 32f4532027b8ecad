#!/usr/bin/env bash
# Boot-time setup of the demo origin (Amazon Linux 2023), run once by cloud-init:
# nginx on port 80, reached only by cloudflared on the key servers through the tunnel
# (its security group admits nothing else). Logs to a file and the journal.
set -euo pipefail
umask 022

R=${KEYLESS_ROOT:-}
LIBEXEC="$R/usr/local/libexec/keyless"
LOG="$R/var/log/origin-bootstrap.log"

exec > >(tee -a "$LOG" | logger -t origin-bootstrap) 2>&1

# Embedded beside this script by the same cloud-config (and checked on its own).
# shellcheck source=/dev/null
. "$LIBEXEC/boot-lib.sh"
boot_init origin-bootstrap

log "starting"
retry 5 15 dnf install -y -q nginx
retry 3 5 systemctl enable --now nginx.service
log "done: nginx is enabled and started"
