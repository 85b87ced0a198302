#!/usr/bin/env bash
# Runs one benchmark from the repo root with the project's Node.js (see docs/benchmarks.md):
#   bash bench/run.sh latency|memory|audit|list-scale
# Each is a TypeScript script run through Backstage's Node transform; knobs are env variables
# documented at the top of bench/<name>/run.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
name="${1:?usage: bash bench/run.sh latency|memory|audit|list-scale}"
[ -f "bench/$name/run.ts" ] || { echo "no benchmark bench/$name/run.ts" >&2; exit 2; }
mkdir -p .cache
exec node --require @backstage/cli/config/nodeTransform.cjs "bench/$name/run.ts"
