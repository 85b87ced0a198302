#!/usr/bin/env bash
# Refreshes the README's and docs' images (docs/images/*.png) from the browser tests' screenshots.
# The tests never write tracked files: they save screenshots under .cache/. This script runs the
# tests that take the documentation's screenshots (under the e2e lock) and copies each image
# docs/images/<name>.png from .cache/docs-<name>.png, else .cache/e2e-<name>.png, else the mapped
# file below. Review the result with `git diff --stat docs/images` and commit what changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

if [ "${SKIP_TESTS:-}" != "1" ]; then
  flock /tmp/opensandbox-e2e.lock node --test --test-concurrency=1 \
    e2e/console.test.mjs e2e/bulk.test.mjs e2e/failures.test.mjs e2e/audit.test.mjs e2e/ux.test.mjs
fi

# Images whose screenshot has another name.
declare -A SOURCE=(
  [audit-log]=e2e-bulk-audit
)
missing=0
for image in docs/images/*.png; do
  name="$(basename "$image" .png)"
  from=""
  for candidate in ".cache/docs-$name.png" ".cache/e2e-$name.png" ".cache/${SOURCE[$name]:-none}.png"; do
    if [ -f "$candidate" ]; then
      from="$candidate"
      break
    fi
  done
  if [ -z "$from" ]; then
    echo "no screenshot for $image (kept as it is)" >&2
    missing=1
    continue
  fi
  cp "$from" "$image"
  echo "$image <- $from"
done
exit "$missing"
