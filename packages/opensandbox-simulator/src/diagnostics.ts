/**
 * The deprecated plain-text diagnostics of the real server's Docker runtime
 * (`api/devops.py` + the Docker diagnostics mixin): `docker logs --timestamps`, an inspect summary,
 * events reconstructed from the container state, and a summary of all three. The texts follow
 * upstream's layout; clients must not parse them (the spec says so too).
 */
import { SandboxRecord } from './types';

const NEVER = '0001-01-01T00:00:00Z';

/** Docker's RFC 3339 with nanoseconds: `2026-06-15T10:00:00.412000000Z`. */
function dockerTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 23)}000000Z`;
}

/** Python's `str(bool)`. */
function py(value: boolean): string {
  return value ? 'True' : 'False';
}

/** The container name the simulator reports. */
export function containerName(s: SandboxRecord): string {
  return `sandbox-${s.id}`;
}

/** Docker's `State.Status` for a sandbox state. */
function dockerStatus(s: SandboxRecord): string {
  if (s.finishedAt !== undefined) return 'exited';
  switch (s.status.state) {
    case 'Running':
      return 'running';
    case 'Paused':
      return 'paused';
    case 'Pending':
      return 'created';
    case 'Terminated':
    case 'Failed':
      return 'exited';
    default:
      return 'removing';
  }
}

function exitCodeOf(s: SandboxRecord): number {
  if (s.exitCode !== undefined) return s.exitCode;
  return s.status.state === 'Failed' ? 1 : 0;
}

/**
 * `duration` like upstream's `_parse_since_to_timestamp`: `<n><s|m|h|d>`, anything else 10
 * minutes. @returns milliseconds
 */
export function parseSince(since: string): number {
  const m = /^(\d+)\s*([smhd])$/.exec(since.trim().toLowerCase());
  if (!m) return 600_000;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[
    m[2] as 's' | 'm' | 'h' | 'd'
  ];
  return Number(m[1]) * unit * 1000;
}

/** `docker logs --timestamps --tail <tail> [--since <now - since>]`, or `(no logs)`. */
export function logsText(
  s: SandboxRecord,
  now: number,
  query: { tail: number; since?: string },
): string {
  let lines = s.logs ?? [];
  if (query.since) {
    const from = now - parseSince(query.since);
    lines = lines.filter(line => line.at >= from);
  }
  lines = lines.slice(-query.tail);
  if (lines.length === 0) return '(no logs)';
  return `${lines
    .map(line => `${dockerTime(line.at)} ${line.text}`)
    .join('\n')}\n`;
}

/** The inspect summary (container, state, resources, network, ports, labels, environment). */
export function inspectText(s: SandboxRecord): string {
  const status = dockerStatus(s);
  const lines: string[] = [];
  lines.push(`Container ID:   ${s.containerId.slice(0, 12)}`);
  lines.push(`Name:           ${containerName(s)}`);
  lines.push(`Image:          ${s.image?.uri ?? s.snapshotId ?? 'N/A'}`);
  lines.push(`Status:         ${status}`);
  lines.push(
    `Running:        ${py(status === 'running' || status === 'paused')}`,
  );
  lines.push(`Paused:         ${py(status === 'paused')}`);
  lines.push(`OOMKilled:      ${py(s.oomKilled === true)}`);
  lines.push(`Exit Code:      ${exitCodeOf(s)}`);
  lines.push(`Started At:     ${dockerTime(s.createdAt)}`);
  lines.push(
    `Finished At:    ${
      s.finishedAt !== undefined ? dockerTime(s.finishedAt) : NEVER
    }`,
  );
  lines.push('');
  lines.push('Resources:');
  const cpu = s.resourceLimits.cpu;
  if (cpu) {
    const cores = cpu.endsWith('m')
      ? Number(cpu.slice(0, -1)) / 1000
      : Number(cpu);
    if (Number.isFinite(cores))
      lines.push(`  CPU:          ${cores.toFixed(2)} cores`);
  }
  const memory = s.resourceLimits.memory;
  const mib = memory ? toMiB(memory) : undefined;
  if (mib !== undefined) lines.push(`  Memory:       ${mib} MiB`);
  lines.push('  PIDs Limit:   4096');
  lines.push('');
  lines.push('Network:');
  lines.push(
    `  bridge: ${
      status === 'exited'
        ? ''
        : `172.17.0.${2 + (((s.proxyHostPort - 32768) / 2) % 250)}`
    }`,
  );
  lines.push('');
  lines.push('Ports:');
  lines.push(`  44772/tcp -> 0.0.0.0:${s.proxyHostPort}`);
  lines.push(`  8080/tcp -> 0.0.0.0:${s.httpHostPort}`);
  const labels = { ...s.metadata, 'opensandbox.io/id': s.id };
  lines.push('');
  lines.push('Labels:');
  for (const key of Object.keys(labels).sort())
    lines.push(`  ${key}=${labels[key as keyof typeof labels]}`);
  const env = Object.entries(s.env).filter(([, v]) => v !== null);
  if (env.length > 0) {
    lines.push('');
    lines.push('Environment:');
    for (const [key, value] of env) {
      const secret = ['SECRET', 'TOKEN', 'PASSWORD', 'KEY'].some(word =>
        key.toUpperCase().includes(word),
      );
      lines.push(secret ? `  ${key}=***` : `  ${key}=${value}`);
    }
  }
  return lines.join('\n');
}

function toMiB(quantity: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) return undefined;
  const factor: Record<string, number> = {
    '': 1,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Math.floor((Number(m[1]) * factor[m[2] ?? '']) / (1024 * 1024));
}

/**
 * Events reconstructed from the container state (Docker keeps no per-container event history):
 * creation, start, exit, out-of-memory kill, exit code; `(no notable events)` when there is
 * nothing beyond the header.
 */
export function eventsText(s: SandboxRecord): string {
  const lines: string[] = [];
  lines.push(`Container:  ${s.containerId.slice(0, 12)} (${containerName(s)})`);
  lines.push(`Status:     ${dockerStatus(s)}`);
  lines.push(`Created:    ${dockerTime(s.createdAt)}`);
  lines.push(`Started:    ${dockerTime(s.createdAt)}`);
  if (s.finishedAt !== undefined)
    lines.push(`Finished:   ${dockerTime(s.finishedAt)}`);
  if (s.oomKilled)
    lines.push(
      'Event:      OOMKilled - container was killed due to out-of-memory',
    );
  const exitCode = s.finishedAt !== undefined ? exitCodeOf(s) : 0;
  if (exitCode !== 0) lines.push(`Event:      Exited with code ${exitCode}`);
  if (lines.length <= 3) lines.push('(no notable events)');
  return lines.join('\n');
}

/** The one-shot summary: inspect, events and the last `tail` log lines. */
export function summaryText(
  s: SandboxRecord,
  now: number,
  query: { tail: number },
): string {
  const rule = '='.repeat(72);
  const dash = '-'.repeat(40);
  const sections = [
    rule,
    'SANDBOX DIAGNOSTICS SUMMARY',
    `Sandbox ID: ${s.id}`,
    rule,
    '',
    dash,
    'INSPECT',
    dash,
    inspectText(s),
    '',
    dash,
    'EVENTS',
    dash,
    eventsText(s),
    '',
    dash,
    `LOGS (last ${query.tail} lines)`,
    dash,
    logsText(s, now, { tail: query.tail }).replace(/\n$/, ''),
  ];
  return `${sections.join('\n')}\n`;
}
