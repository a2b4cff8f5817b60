#!/usr/bin/env bash
# Installs the Debian packages the black-box tests drive (only when missing), so that
# `npm test` works on a fresh machine: python3-kubernetes (the Python Kubernetes client,
# run with /usr/bin/python3); docker-registry, skopeo and apache2-utils (image import tests;
# the registry package starts no service, the tests run it on 127.0.0.1 with their own
# configuration). Uses apt-get as root, or sudo when available.
set -euo pipefail

need=()
/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || need+=(python3-kubernetes)
# The image importer's tests run a real registry on 127.0.0.1 (CNCF distribution), htpasswd
# for its Basic auth, and skopeo to inspect/copy images without Docker.
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)

if [ ${#need[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
  echo "ensure-system-packages: need root to install: ${need[*]}" >&2
  exit 1
fi
echo "ensure-system-packages: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
