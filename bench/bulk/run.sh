#!/usr/bin/env bash
# Bulk delete benchmark (see docs/benchmarks.md): 100 sandboxes deleted through
# POST /api/opensandbox/bulk/delete (dry run, then the confirmed execution) against the simulator
# behind a counting server; wall time and the most upstream requests in flight, per concurrency.
#
#   bash bench/bulk/run.sh
#
# Env: BENCH_BULK_ITEMS (100), BENCH_BULK_LATENCY_MS (20, every upstream request),
# BENCH_BULK_DELETE_MS (200, extra per upstream delete), BENCH_BULK_CONCURRENCY (1,4,8),
# BENCH_PG_URL (PostgreSQL admin connection, default postgresql://postgres@127.0.0.1:5432/postgres;
# set BENCH_SQLITE=1 to use SQLite in memory instead). Results: .cache/bench-bulk.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
mkdir -p .cache
export BENCH_BULK=1 BENCH_BULK_OUT="$PWD/.cache/bench-bulk.json" BACKSTAGE_TEST_DISABLE_DOCKER=1
if [ -z "${BENCH_SQLITE:-}" ]; then
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BENCH_PG_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
fi
cd plugins/opensandbox-backend
CI=true yarn backstage-cli package test src/tests/bulkBenchmark.test.ts
echo "results: $BENCH_BULK_OUT"
