#!/usr/bin/env bash
# Runs every test: type check, lint, formatting (prettier --check), the plugin packages' API
# reports (--ci: a changed public surface fails until `yarn build:api-reports` is run and the
# report is committed), the plugin packages' build and tarball contents (scripts/check-packages.mjs),
# unit/route/component tests (Jest via backstage-cli), and the end-to-end browser tests against the
# running stack (headless Debian Chromium + playwright-core). Finally it checks that the run left the
# git working tree as it found it (on a fresh clone: `git status` clean; scripts/tree-state.mjs).
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
node scripts/tree-state.mjs snapshot .cache/tree-before-tests.json

echo "==> type check, lint and formatting"
yarn tsc
yarn backstage-cli repo lint
# docs/deployment.md lists every configuration key of the console's plugins.
node scripts/config-keys.mjs --check
yarn prettier --check .

echo "==> API reports of the plugin packages (yarn build:api-reports updates them)"
yarn test:api-reports

echo "==> plugin packages: build and tarball contents"
yarn backstage-cli repo build
flock /tmp/opensandbox-e2e.lock node scripts/check-packages.mjs

echo "==> unit, route and component tests"
jest_status=0
CI=true yarn backstage-cli repo test --json --outputFile="$REPO_ROOT/.cache/jest-results.json" || jest_status=$?

echo "==> end-to-end browser tests"
e2e_status=0
yarn test:e2e 2>&1 | tee .cache/e2e-output.txt || e2e_status=$?

node scripts/summarize-tests.mjs .cache/jest-results.json .cache/e2e-output.txt
tree_status=0
node scripts/tree-state.mjs compare .cache/tree-before-tests.json || tree_status=$?
if [ "$jest_status" -ne 0 ] || [ "$e2e_status" -ne 0 ] || [ "$tree_status" -ne 0 ]; then
  exit 1
fi
