/**
 * Command line entry point (run through `bin/opensandbox-simulator`).
 * Flags override environment variables, which override defaults.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadSeedFile } from './seed';
import { DEFAULT_API_KEY, SimulatorOptions, startSimulator } from './server';

const USAGE = `Usage: opensandbox-simulator [options]

  --port N                 port (default 8080; 0 = any free port)     env OPENSANDBOX_SIMULATOR_PORT
  --host HOST              interface (default 127.0.0.1)               env OPENSANDBOX_SIMULATOR_HOST
  --api-key KEY            expected OPEN-SANDBOX-API-KEY               env OPENSANDBOX_SIMULATOR_API_KEY
                           (default ${DEFAULT_API_KEY}; '' disables the check)
  --seed FILE              YAML/JSON file of sandboxes to preload      env OPENSANDBOX_SIMULATOR_SEED
  --latency-ms N           delay added to every API request            env OPENSANDBOX_SIMULATOR_LATENCY_MS
  --faults FILE            YAML/JSON list of fault rules               env OPENSANDBOX_SIMULATOR_FAULTS
  --max-timeout-seconds N  maximum create timeout                      env OPENSANDBOX_SIMULATOR_MAX_TIMEOUT_SECONDS
  --endpoint-host HOST     host reported in direct endpoints (default 127.0.0.1)
  --startup-ms N           simulated ms from a create request to its container's
                           creation: GET/list createdAt = create createdAt + N
                           (default 1500)                              env OPENSANDBOX_SIMULATOR_STARTUP_MS
  --create-delay-ms N      real ms every create takes before answering (default 0)
                                                                       env OPENSANDBOX_SIMULATOR_CREATE_DELAY_MS
  --block-while-creating   hold every other API request while a create is in its
                           delay (default off; env value true/1/yes)   env OPENSANDBOX_SIMULATOR_BLOCK_WHILE_CREATING
  --unpullable-image-pattern RE
                           regex of image URIs whose pull fails with 500
                           (default 'does-not-exist|nonexistent|unpullable'; '' = none)
                                                                       env OPENSANDBOX_SIMULATOR_UNPULLABLE_IMAGE_PATTERN
  -h, --help               show this help
`;

function toNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number, got '${value}'`);
  return n;
}

function toBoolean(
  name: string,
  value: string | undefined,
): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got '${value}'`);
}

function toPattern(
  name: string,
  value: string | undefined,
): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === '') return null;
  try {
    RegExp(value);
  } catch (e) {
    throw new Error(
      `${name} is not a valid regular expression: ${(e as Error).message}`,
    );
  }
  return value;
}

/** Turns argv and env into simulator options. Throws on bad input. */
export function optionsFromArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): SimulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      seed: { type: 'string' },
      'latency-ms': { type: 'string' },
      faults: { type: 'string' },
      'max-timeout-seconds': { type: 'string' },
      'endpoint-host': { type: 'string' },
      'startup-ms': { type: 'string' },
      'create-delay-ms': { type: 'string' },
      'block-while-creating': { type: 'boolean' },
      'unpullable-image-pattern': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const seedPath = values.seed ?? env.OPENSANDBOX_SIMULATOR_SEED;
  const faultsPath = values.faults ?? env.OPENSANDBOX_SIMULATOR_FAULTS;
  return {
    port:
      toNumber('--port', values.port ?? env.OPENSANDBOX_SIMULATOR_PORT) ?? 8080,
    host: values.host ?? env.OPENSANDBOX_SIMULATOR_HOST ?? '127.0.0.1',
    apiKey:
      values['api-key'] ?? env.OPENSANDBOX_SIMULATOR_API_KEY ?? DEFAULT_API_KEY,
    seed: seedPath ? loadSeedFile(seedPath) : undefined,
    latencyMs: toNumber(
      '--latency-ms',
      values['latency-ms'] ?? env.OPENSANDBOX_SIMULATOR_LATENCY_MS,
    ),
    faults: faultsPath
      ? parseYaml(readFileSync(faultsPath, 'utf8'))
      : undefined,
    maxTimeoutSeconds: toNumber(
      '--max-timeout-seconds',
      values['max-timeout-seconds'] ??
        env.OPENSANDBOX_SIMULATOR_MAX_TIMEOUT_SECONDS,
    ),
    endpointHost: values['endpoint-host'],
    startupMs: toNumber(
      '--startup-ms',
      values['startup-ms'] ?? env.OPENSANDBOX_SIMULATOR_STARTUP_MS,
    ),
    createDelayMs: toNumber(
      '--create-delay-ms',
      values['create-delay-ms'] ?? env.OPENSANDBOX_SIMULATOR_CREATE_DELAY_MS,
    ),
    blockWhileCreating:
      values['block-while-creating'] ??
      toBoolean(
        'OPENSANDBOX_SIMULATOR_BLOCK_WHILE_CREATING',
        env.OPENSANDBOX_SIMULATOR_BLOCK_WHILE_CREATING,
      ),
    unpullableImagePattern: toPattern(
      '--unpullable-image-pattern',
      values['unpullable-image-pattern'] ??
        env.OPENSANDBOX_SIMULATOR_UNPULLABLE_IMAGE_PATTERN,
    ),
  };
}

/** Starts the server, prints the ready line and stops on SIGTERM/SIGINT. */
export async function main(
  argv: string[] = process.argv.slice(2),
  env = process.env,
): Promise<void> {
  let options: SimulatorOptions | 'help';
  try {
    options = optionsFromArgs(argv, env);
  } catch (e) {
    process.stderr.write(
      `opensandbox-simulator: ${(e as Error).message}\n\n${USAGE}`,
    );
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const sim = await startSimulator(options);
  process.stdout.write(`OpenSandbox simulator listening on ${sim.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      err => {
        process.stderr.write(
          `opensandbox-simulator: error while stopping on ${signal}: ${err}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
