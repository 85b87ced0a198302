import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { optionsFromArgs } from './cli';

const root = resolve(__dirname, '..');

describe('optionsFromArgs', () => {
  it('uses defaults, env, then flags', () => {
    expect(optionsFromArgs([], {})).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      apiKey: 'dev-opensandbox-key',
    });
    expect(
      optionsFromArgs([], {
        OPENSANDBOX_SIMULATOR_PORT: '9000',
        OPENSANDBOX_SIMULATOR_API_KEY: 'env-key',
        OPENSANDBOX_SIMULATOR_LATENCY_MS: '25',
      }),
    ).toMatchObject({ port: 9000, apiKey: 'env-key', latencyMs: 25 });
    const opts = optionsFromArgs(
      [
        '--port',
        '0',
        '--api-key',
        'flag-key',
        '--seed',
        resolve(root, 'seed/demo.yaml'),
        '--max-timeout-seconds',
        '86400',
      ],
      {
        OPENSANDBOX_SIMULATOR_PORT: '9000',
        OPENSANDBOX_SIMULATOR_API_KEY: 'env-key',
      },
    );
    expect(opts).toMatchObject({
      port: 0,
      apiKey: 'flag-key',
      maxTimeoutSeconds: 86400,
    });
    expect(opts !== 'help' && opts.seed).toHaveLength(6);
    expect(optionsFromArgs(['--help'], {})).toBe('help');
    expect(
      optionsFromArgs([], {
        OPENSANDBOX_SIMULATOR_STARTUP_MS: '2500',
        OPENSANDBOX_SIMULATOR_CREATE_DELAY_MS: '30000',
        OPENSANDBOX_SIMULATOR_BLOCK_WHILE_CREATING: 'true',
        OPENSANDBOX_SIMULATOR_UNPULLABLE_IMAGE_PATTERN: '^private/',
      }),
    ).toMatchObject({
      startupMs: 2500,
      createDelayMs: 30000,
      blockWhileCreating: true,
      unpullableImagePattern: '^private/',
    });
    expect(
      optionsFromArgs(
        [
          '--startup-ms',
          '0',
          '--create-delay-ms',
          '100',
          '--block-while-creating',
          '--unpullable-image-pattern',
          '',
        ],
        {
          OPENSANDBOX_SIMULATOR_STARTUP_MS: '2500',
          OPENSANDBOX_SIMULATOR_UNPULLABLE_IMAGE_PATTERN: '^private/',
        },
      ),
    ).toMatchObject({
      startupMs: 0,
      createDelayMs: 100,
      blockWhileCreating: true,
      unpullableImagePattern: null,
    });
    const defaults = optionsFromArgs([], {});
    expect(
      defaults !== 'help' && defaults.unpullableImagePattern,
    ).toBeUndefined();
    expect(() =>
      optionsFromArgs(['--unpullable-image-pattern', '('], {}),
    ).toThrow(/--unpullable-image-pattern/);
    expect(() =>
      optionsFromArgs([], {
        OPENSANDBOX_SIMULATOR_BLOCK_WHILE_CREATING: 'maybe',
      }),
    ).toThrow(/BLOCK_WHILE_CREATING/);
    expect(() => optionsFromArgs(['--port', 'x'], {})).toThrow(/--port/);
    expect(() => optionsFromArgs(['--bogus'], {})).toThrow();
  });
});

describe('bin/opensandbox-simulator', () => {
  it('starts with the demo seed, prints the ready line, serves, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['bin/opensandbox-simulator', '--port', '0', '--seed', 'seed/demo.yaml'],
      {
        cwd: root,
        env: { ...process.env, OPENSANDBOX_SIMULATOR_API_KEY: 'bin-key' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', d => {
      stderr += d;
    });
    const exited = new Promise<number | null>(res =>
      child.on('exit', code => res(code)),
    );
    try {
      const line = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout }).once('line', res);
        child.once('exit', () => rej(new Error(`exited early: ${stderr}`)));
      });
      const match =
        /^OpenSandbox simulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(
          line,
        );
      expect(match).not.toBeNull();
      const url = match![1];
      const res = await fetch(`${url}/v1/sandboxes?pageSize=200`, {
        headers: { 'OPEN-SANDBOX-API-KEY': 'bin-key' },
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.pagination.totalItems).toBe(6);
      const states = body.items.map((s: any) => s.status.state).sort();
      expect(states).toEqual([
        'Failed',
        'Paused',
        'Running',
        'Running',
        'Running',
        'Running',
      ]);
      expect(body.items.filter((s: any) => !s.expiresAt)).toHaveLength(1);
      expect(
        body.items.filter((s: any) => s.metadata === undefined),
      ).toHaveLength(1);
      const guest = await fetch(
        `${url}/v1/sandboxes?${new URLSearchParams({
          metadata:
            'backstage.io/owner=guest&backstage.io/owner-namespace=default',
        })}`,
        { headers: { 'OPEN-SANDBOX-API-KEY': 'bin-key' } },
      );
      expect((await guest.json()).pagination.totalItems).toBe(3);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
