#!/usr/bin/env bash
# Image tests and benches run a real container registry: Debian's docker-registry (Distribution 2.8),
# plus openssl for the token-auth signing certificate (bcrypt htpasswd hashes come from perl, always on Debian).
set -euo pipefail
missing=()
[ -x "${DOCKER_REGISTRY_BIN:-/usr/bin/docker-registry}" ] || missing+=(docker-registry)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing ${missing[*]}: install with 'sudo apt-get install -y ${missing[*]}' (or set DOCKER_REGISTRY_BIN)" >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian (first run only)…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
