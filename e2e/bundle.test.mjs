// The production frontend bundles (the new-frontend-system app that `npm start` serves on :3000 and
// the legacy app on :3001), built with secrets in the environment, contain none of them:
// the OpenSandbox API key and the OIDC client secret are backend-only config (@visibility secret).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './stack.mjs';

function filesUnder(dir) {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

for (const app of ['app-next', 'app'])
  test(
    `the built ${app} bundle holds no backend secret`,
    { timeout: 600_000 },
    () => {
      const secrets = {
        OPENSANDBOX_API_KEY: `bundle-key-${randomUUID()}`,
        AUTH_OIDC_CLIENT_SECRET: `bundle-oidc-${randomUUID()}`,
      };
      // Same sources as scripts/build-app.mjs builds for `npm start`, so its reuse stamp stays true.
      const build = spawnSync('yarn', ['workspace', app, 'build'], {
        cwd: repoRoot,
        env: { ...process.env, ...secrets },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(
        build.status,
        0,
        `${app} build failed:\n${build.stdout}\n${build.stderr}`,
      );
      const files = filesUnder(join(repoRoot, 'packages', app, 'dist'));
      const scripts = files.filter(f => f.endsWith('.js'));
      assert.ok(scripts.length > 0, 'the build produced no script');
      const hits = files.filter(f => {
        const text = readFileSync(f, 'utf8');
        return Object.values(secrets).some(secret => text.includes(secret));
      });
      assert.deepEqual(hits, []);
    },
  );
