#!/usr/bin/env bash
# Builds the helm CLI from its Go module (the Go module proxy is reachable where release
# binaries are not) into the wirestream tools cache; tests/unit/deploy finds it there.
#   deploy/helm/install-helm.sh [DEST_DIR]
set -euo pipefail
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
DEST="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/wirestream/tools}"
command -v go >/dev/null || { echo "install-helm: needs the go command" >&2; exit 1; }
mkdir -p "$DEST"
GOBIN="$DEST" go install "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
"$DEST/helm" version --short
