#!/usr/bin/env bash
# Follows docs/deployment.md step by step on a fresh clone:
#   1-2. clone (DEPLOYMENT_CHECK_SOURCE, default this repository's committed HEAD) into a temporary
#        directory and `yarn install --immutable` there;
#   3-7. start two replicas of the demo backend on PostgreSQL with app-config.production.yaml and
#        every secret from environment variables (fresh databases, dropped afterwards), an
#        OpenSandbox simulator and the OIDC identity provider, and run the checks of
#        e2e/replicas.test.mjs against them (health, automation token, consistent results across
#        replicas, migrations once, scheduled tasks once per interval, SIGKILL mid-create,
#        security headers, CORS, the key in no response or log);
#   and checks that the guide lists every configuration key (scripts/config-keys.mjs --check).
# Needs: git, network access to the npm registry (or a Yarn cache), PostgreSQL on 127.0.0.1:5432
# (user postgres, trust). Ports: free ones of 7400-7499 and 8400-8499. Leaves nothing behind but
# the clone when DEPLOYMENT_CHECK_KEEP=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/env.sh"
source_repo="${DEPLOYMENT_CHECK_SOURCE:-$here}"
work="$(mktemp -d /tmp/opensandbox-deployment-check.XXXXXX)"
cleanup() { [ "${DEPLOYMENT_CHECK_KEEP:-0}" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

echo "==> 2. fresh clone of $source_repo into $work"
git clone --quiet --depth 1 "file://$source_repo" "$work/console"
cd "$work/console"
echo "==> 2. yarn install --immutable"
yarn install --immutable > "$work/install.log" 2>&1 || { tail -30 "$work/install.log"; exit 1; }

echo "==> the guide lists every configuration key"
node scripts/config-keys.mjs --check

echo "==> 3-7. two replicas on PostgreSQL, production config, secrets from the environment"
node --test --test-concurrency=1 e2e/replicas.test.mjs
echo "deployment check passed ($work/console)"
