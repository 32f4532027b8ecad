#!/usr/bin/env bash
# Runs before `npm test` (npm's pretest) and in .ci/run: makes sure the tools the tests
# drive for real are installed, so a fresh machine skips nothing. As root on Debian or
# Ubuntu it installs the missing Debian packages with apt-get; anywhere else it names
# what is missing and how to get it, and those tests then report themselves SKIPPED.
# With CI set, a Debian package still missing is a failure (moto, terraform and the
# provider mirror are not Debian packages: they are named loudly, never installed here).
# EDGE_NO_PROVISION=1 skips apt-get.
set -uo pipefail

# command -> Debian package
declare -A PACKAGE=([nginx]=nginx [openssl]=openssl [cloud-init]=cloud-init [shellcheck]=shellcheck [yamllint]=yamllint [curl]=curl)
PATH="$PATH:/usr/sbin:/sbin"

missing_packages() {
  local out=()
  for command in "${!PACKAGE[@]}"; do command -v "$command" >/dev/null 2>&1 || out+=("${PACKAGE[$command]}"); done
  if ((${#out[@]})); then printf '%s\n' "${out[@]}" | sort; fi
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]})); then
  if [[ "${EDGE_NO_PROVISION:-}" == "1" ]]; then
    echo "provision: EDGE_NO_PROVISION=1, not installing: ${missing[*]}" >&2
  elif [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
    echo "provision: installing Debian packages the tests use: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" ca-certificates >/dev/null; }; then
      echo "provision: apt-get install failed" >&2
    fi
    mapfile -t missing < <(missing_packages)
  else
    echo "provision: cannot install ${missing[*]}: that needs root on Debian/Ubuntu (run: sudo apt-get install -y ${missing[*]})" >&2
  fi
fi

problems=()
((${#missing[@]})) && problems+=("Debian packages missing: ${missing[*]}")
unprovisionable=()
python3 -c 'import moto, boto3' >/dev/null 2>&1 || unprovisionable+=("python3 with moto and boto3 missing (pip install 'moto[server]==5.2.1' boto3)")
command -v terraform >/dev/null 2>&1 || unprovisionable+=("terraform missing (1.11.4)")
[[ -d /opt/tf-plugins ]] || unprovisionable+=("the offline AWS provider mirror /opt/tf-plugins is missing (terraform providers mirror /opt/tf-plugins)")

for p in "${problems[@]}" "${unprovisionable[@]}"; do
  [[ -n "$p" ]] && echo "provision: ${p}: the tests that need it will be SKIPPED" >&2
done
if ((${#problems[@]})); then
  if [[ -n "${CI:-}" ]]; then
    echo "provision: CI is set, so a missing tool is a failure" >&2
    exit 1
  fi
fi
exit 0
