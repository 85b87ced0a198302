#!/usr/bin/env bash
# Starts the OpenSandbox Console: the OpenSandbox simulator on :8080, the demo OpenID Connect
# identity provider on :7300, the Backstage backend on :7007 (SQLite in memory), the app on :3000
# (the new-frontend-system app, packages/app-next) and the legacy app on :3001 (packages/app).
# Ctrl-C stops them all.
#
# `npm start` (no flag): the apps' production builds. Each is built once and reused while its
# sources are unchanged (scripts/build-app.mjs, a content hash in .cache/app-builds/); the backend's
# app-backend serves packages/app-next/dist, reached on :3000 through scripts/serve-apps.mjs, which
# also serves packages/app/dist on :3001.
# `npm run dev` (--dev): hot-reload development instead: the webpack/rspack dev server of app-next on
# :3000 and the backend in watch mode (the legacy app: `yarn workspace app start`, :3001).
set -euo pipefail
MODE=start
if [ "${1:-}" = "--dev" ]; then
  MODE=dev
  shift
fi
bash "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

SIM_PORT="${OPENSANDBOX_SIMULATOR_PORT:-8080}"
export OPENSANDBOX_SIMULATOR_API_KEY="${OPENSANDBOX_API_KEY:-dev-opensandbox-key}"
node packages/opensandbox-simulator/bin/opensandbox-simulator \
  --port "$SIM_PORT" --seed packages/opensandbox-simulator/seed/demo.yaml &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT INT TERM

# The demo identity provider (development only; see docs/auth.md). Its Backstage client secret is
# the one the backend uses (auth.providers.oidc.development.clientSecret). Set
# START_IDENTITY_PROVIDER=false when AUTH_OIDC_* point at a real provider.
IDP_PID=
if [ "${START_IDENTITY_PROVIDER:-true}" != "false" ]; then
  IDP_PORT="${IDP_PORT:-7300}"
  export IDP_BACKSTAGE_CLIENT_SECRET="${AUTH_OIDC_CLIENT_SECRET:-dev-backstage-oidc-secret}"
  node packages/identity-provider/bin/identity-provider --port "$IDP_PORT" &
  IDP_PID=$!
  trap 'kill "$SIM_PID" $IDP_PID 2>/dev/null || true' EXIT INT TERM
  # The backend reads the provider's discovery document once, at start: wait for it.
  for _ in $(seq 1 100); do
    if node -e "fetch('http://127.0.0.1:$IDP_PORT/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
      break
    fi
    if ! kill -0 "$IDP_PID" 2>/dev/null; then
      echo "identity provider failed to start" >&2
      exit 1
    fi
    sleep 0.2
  done
fi

export OPENSANDBOX_BASE_URL="${OPENSANDBOX_BASE_URL:-http://127.0.0.1:$SIM_PORT}"
if [ "$MODE" = "dev" ]; then
  yarn workspace app-next start &
  APP_PID=$!
  trap 'kill "$SIM_PID" $IDP_PID $APP_PID 2>/dev/null || true' EXIT INT TERM
  yarn workspace backend start "$@"
  exit $?
fi

node scripts/build-app.mjs app-next
node scripts/build-app.mjs app
node scripts/serve-apps.mjs &
SERVE_PID=$!
trap 'kill "$SIM_PID" $IDP_PID $SERVE_PID 2>/dev/null || true' EXIT INT TERM
yarn workspace backend start "$@"
