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
  -h, --help               show this help
`;

function toNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number, got '${value}'`);
  return n;
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
