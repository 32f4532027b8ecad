#!/usr/bin/env bash
# Boot-time setup of a Keyless SSL key server (Amazon Linux 2023), run once by
# cloud-init. Installs cloudflared and gokeyless from Cloudflare's package
# repositories (signing key pinned by fingerprint), fetches the tunnel token, the
# gokeyless credentials and the keyless private key from Secrets Manager (they are
# never in user-data), writes them root- or keyless-only, and starts both services.
# Settings (no secrets) come from the env file cloud-init writes beside this script.
set -euo pipefail
umask 077

# Every path is under $R: empty on a host, a scratch folder when the tests run this script.
R=${KEYLESS_ROOT:-}
SETTINGS="$R/etc/keyless/bootstrap.env"
LIBEXEC="$R/usr/local/libexec/keyless"
LOG="$R/var/log/keyless-bootstrap.log"

# Everything this script prints goes to the log file and to the journal.
exec > >(tee -a "$LOG" | logger -t keyless-bootstrap) 2>&1

# Embedded beside this script by the same cloud-config (and checked on its own).
# shellcheck source=/dev/null
. "$LIBEXEC/boot-lib.sh"
boot_init keyless-bootstrap

# shellcheck source=/dev/null
. "$SETTINGS"
: "${AWS_REGION:?} ${TUNNEL_TOKEN_SECRET_ARN:?} ${CREDENTIALS_SECRET_ARN:?} ${PRIVATE_KEY_SECRET_ARN:?}"
: "${KEY_NAME:?} ${SIGNING_KEY_FINGERPRINT:?} ${PACKAGE_KEY_URL:?} ${CLOUDFLARED_REPO_URL:?} ${GOKEYLESS_REPO_URL:?}"

# secret ARN [STAGE]: the value of one version (AWSCURRENT unless said otherwise).
secret() {
  aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$1" --version-stage "${2:-AWSCURRENT}" \
    --query SecretString --output text
}

trust_package_key() {
  local key="$R/etc/pki/rpm-gpg/cloudflare-main.gpg" tmp fpr
  tmp=$(mktemp)
  retry 5 10 curl -fsSL --proto '=https' --tlsv1.2 -o "$tmp" "$PACKAGE_KEY_URL"
  fpr=$(gpg --show-keys --with-colons "$tmp" | awk -F: '$1 == "fpr" { print $10; exit }')
  if [[ "$fpr" != "$SIGNING_KEY_FINGERPRINT" ]]; then
    log "package signing key fingerprint is '${fpr}', expected '${SIGNING_KEY_FINGERPRINT}': refusing to trust it"
    rm -f "$tmp"
    return 1
  fi
  install -m 0644 "$tmp" "$key"
  rm -f "$tmp"
  rpm --import "$key"
  log "trusted Cloudflare package key $fpr"
}

# Cloudflare's .repo files, forced to check signatures against the pinned key only.
add_repo() {
  local url=$1 file=$2 tmp
  tmp=$(mktemp)
  retry 5 10 curl -fsSL --proto '=https' --tlsv1.2 -o "$tmp" "$url"
  sed -e '/^gpgcheck=/d' -e '/^gpgkey=/d' -e '/^repo_gpgcheck=/d' \
    -e 's|^\(\[.*\]\)$|\1\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/cloudflare-main.gpg|' "$tmp" >"$R/etc/yum.repos.d/$file"
  chmod 0644 "$R/etc/yum.repos.d/$file"
  rm -f "$tmp"
  log "added repository $file from $url"
}

install_packages() {
  trust_package_key
  add_repo "$CLOUDFLARED_REPO_URL" cloudflared.repo
  add_repo "$GOKEYLESS_REPO_URL" gokeyless.repo
  retry 5 15 dnf install -y -q cloudflared gokeyless
  log "installed $(rpm -q cloudflared gokeyless | tr '\n' ' ')"
}

write_tunnel_token() {
  local token
  token=$(retry 10 10 secret "$TUNNEL_TOKEN_SECRET_ARN")
  install -d -m 0700 -o root -g root "$R/etc/cloudflared"
  printf 'TUNNEL_TOKEN=%s\n' "$token" >"$R/etc/cloudflared/tunnel.env"
  chmod 0600 "$R/etc/cloudflared/tunnel.env"
  log "wrote /etc/cloudflared/tunnel.env (0600 root)"
}

write_gokeyless_config() {
  local api_key
  api_key=$(retry 10 10 secret "$CREDENTIALS_SECRET_ARN")
  printf '%s' "$api_key" | "$LIBEXEC/render-gokeyless-config.sh" "$R/etc/keyless/gokeyless.base.yaml" "$R/etc/keyless/gokeyless.yaml"
  chown root:keyless "$R/etc/keyless/gokeyless.yaml"
  chmod 0640 "$R/etc/keyless/gokeyless.yaml"
  log "wrote /etc/keyless/gokeyless.yaml (0640 root:keyless)"
}

# install_key STAGE FILE ATTEMPTS: one version of the private-key secret into FILE, 0400 keyless.
install_key() {
  local stage=$1 keyfile=$2 attempts=$3 tmp
  tmp=$(mktemp "$R/etc/keyless/keys/.incoming.XXXXXX")
  if ! retry "$attempts" 10 secret "$PRIVATE_KEY_SECRET_ARN" "$stage" >"$tmp"; then
    rm -f "$tmp"
    return 1
  fi
  if ! openssl pkey -in "$tmp" -noout 2>/dev/null; then
    rm -f "$tmp"
    log "the $stage version of $PRIVATE_KEY_SECRET_ARN is not a PEM private key; put one there (see docs/keyless.md)"
    return 1
  fi
  chown keyless:keyless "$tmp"
  chmod 0400 "$tmp"
  mv -f "$tmp" "$keyfile"
  log "wrote $keyfile from the $stage version (0400 keyless:keyless)"
}

# The current key, and the previous one when the secret has one: gokeyless serves the
# key matching each certificate, so during a rotation old and new certificates both work.
# (Only GetSecretValue is allowed, so a missing AWSPREVIOUS shows as one failed read.)
write_private_keys() {
  install -d -m 0700 -o keyless -g keyless "$R/etc/keyless/keys"
  install_key AWSCURRENT "$R/etc/keyless/keys/${KEY_NAME}.key" 10
  install_key AWSPREVIOUS "$R/etc/keyless/keys/${KEY_NAME}-previous.key" 1 || log "no previous key version; serving the current key only"
}

log "starting"
install_packages
write_tunnel_token
write_gokeyless_config
write_private_keys
systemctl daemon-reload
retry 3 5 systemctl enable --now cloudflared-keyless.service
retry 3 5 systemctl enable --now gokeyless.service
log "done: cloudflared-keyless and gokeyless are enabled and started"
