#!/usr/bin/env bash
# Runs every test: type check, unit/route/component tests (Jest via backstage-cli), and the
# end-to-end browser test against the running stack (headless Debian Chromium + playwright-core).
# Installs what it needs on a fresh machine: Node 22, dependencies, Chromium, a running PostgreSQL.
set -euo pipefail
bash "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
bash scripts/ensure-services.sh

# Database tests run on SQLite and on the local PostgreSQL (never through Docker, which is absent).
export BACKSTAGE_TEST_DISABLE_DOCKER=1
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432/postgres}"

mkdir -p .cache
echo "==> type check and lint"
yarn tsc
yarn backstage-cli repo lint

echo "==> unit, route and component tests"
jest_status=0
CI=true yarn backstage-cli repo test --json --outputFile="$REPO_ROOT/.cache/jest-results.json" || jest_status=$?

echo "==> end-to-end browser tests"
e2e_status=0
yarn test:e2e 2>&1 | tee .cache/e2e-output.txt || e2e_status=$?

node scripts/summarize-tests.mjs .cache/jest-results.json .cache/e2e-output.txt
if [ "$jest_status" -ne 0 ] || [ "$e2e_status" -ne 0 ]; then
  exit 1
fi
