#!/usr/bin/env bash
# Installs the Debian packages the black-box tests drive (only when missing), so that
# `npm test` works on a fresh machine: python3-kubernetes (the Python Kubernetes client,
# run with /usr/bin/python3). Uses apt-get as root, or sudo when available.
set -euo pipefail

need=()
/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || need+=(python3-kubernetes)

if [ ${#need[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
  echo "ensure-system-packages: need root to install: ${need[*]}" >&2
  exit 1
fi
echo "ensure-system-packages: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
