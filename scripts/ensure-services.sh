#!/usr/bin/env bash
# Makes sure the machine services the tests use exist: Debian's Chromium for browser tests and a
# running PostgreSQL on 127.0.0.1:5432 for the database tests. Idempotent; needs root for installs.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "==> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
