#!/usr/bin/env bash
# Starts the OpenSandbox Console for development: the OpenSandbox simulator on :8080, the
# Backstage backend on :7007 (SQLite in memory) and the app on :3000. Ctrl-C stops all three.
set -euo pipefail
bash "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

SIM_PORT="${OPENSANDBOX_SIMULATOR_PORT:-8080}"
export OPENSANDBOX_SIMULATOR_API_KEY="${OPENSANDBOX_API_KEY:-dev-opensandbox-key}"
node packages/opensandbox-simulator/bin/opensandbox-simulator \
  --port "$SIM_PORT" --seed packages/opensandbox-simulator/seed/demo.yaml &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT INT TERM

export OPENSANDBOX_BASE_URL="${OPENSANDBOX_BASE_URL:-http://127.0.0.1:$SIM_PORT}"
yarn dev "$@"
