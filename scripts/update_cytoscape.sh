#!/usr/bin/env bash
# Vendor cytoscape.js from the npm registry into the HTML report (no network at view time).
# Usage: scripts/update_cytoscape.sh [VERSION]   (default: the registry's latest)
# Writes src/edgeward/report/html/vendor/{cytoscape.min.js,LICENSE-cytoscape.txt,cytoscape.json}.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/edgeward/report/html/vendor
VERSION="${1:-$(npm view cytoscape version 2>/dev/null)}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack "cytoscape@${VERSION}" >/dev/null 2>&1)
TARBALL="$WORK/cytoscape-${VERSION}.tgz"
tar -xzf "$TARBALL" -C "$WORK"
mkdir -p "$VENDOR"
cp "$WORK/package/dist/cytoscape.min.js" "$VENDOR/cytoscape.min.js"
cp "$WORK/package/LICENSE" "$VENDOR/LICENSE-cytoscape.txt"
LICENSE_NAME="$(node -e 'console.log(require(process.argv[1]).license)' "$WORK/package/package.json")"
SHA256="$(sha256sum "$VENDOR/cytoscape.min.js" | cut -d' ' -f1)"
TARBALL_SHA512="$(npm view "cytoscape@${VERSION}" dist.integrity 2>/dev/null || true)"
cat > "$VENDOR/cytoscape.json" <<JSON
{
  "package": "cytoscape",
  "version": "${VERSION}",
  "file": "dist/cytoscape.min.js",
  "sha256": "${SHA256}",
  "license": "${LICENSE_NAME}",
  "source": "npm registry (npm pack cytoscape@${VERSION})",
  "tarball_integrity": "${TARBALL_SHA512}"
}
JSON
echo "vendored cytoscape ${VERSION} (sha256 ${SHA256})"
