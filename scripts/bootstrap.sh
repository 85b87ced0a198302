#!/usr/bin/env bash
# One-time (idempotent) setup: Node.js 22, Yarn 4 (vendored) and all workspace dependencies.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
echo "==> node $(node --version), yarn $(yarn --version)"
if [ -f yarn.lock ] && [ "${CI:-}" = "true" ]; then
  yarn install --immutable
else
  yarn install
fi
