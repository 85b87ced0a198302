/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the top functions by self time, and
 * self time per origin (a package under node_modules, the repo's own plugins, Node internals).
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/lib/profileSummary.ts FILE.cpuprofile [TOP] [LAST_SECONDS]
 *
 * LAST_SECONDS: only the samples of the profile's last seconds (the load, without start-up).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a function comes from: `pkg:<name>`, `repo:<path>`, `node:<internal>`, or a marker. */
export function originOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `pkg:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:')) return 'node:internals';
  const repo = url.indexOf('/plugins/');
  if (repo >= 0)
    return `repo:${url
      .slice(repo + 1)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url.replace(/^file:\/\//, '');
}

export function summarise(file: string, top = 25, lastSeconds?: number) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const self = new Map<number, number>();
  const from = lastSeconds ? profile.endTime - lastSeconds * 1e6 : -Infinity;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= from)
      self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;
  const fns = new Map<string, number>();
  const origins = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const short = url
      ? url.replace(/^.*\/node_modules\//, '').replace(/^.*\/work\/main\//, '')
      : '';
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const origin = originOf(url, functionName);
    origins.set(origin, (origins.get(origin) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`;
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    functions: [...fns.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: pct(us) })),
    origins: [...origins.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: pct(us) })),
  };
}

if (require.main === module) {
  const [file, top, last] = process.argv.slice(2);
  const s = summarise(file, Number(top ?? 25), last ? Number(last) : undefined);
  console.log(`busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms`);
  console.log('\nself time by origin (share of busy time):');
  for (const o of s.origins)
    console.log(
      `  ${o.share.padStart(6)}  ${o.selfMs.toFixed(0).padStart(7)} ms  ${
        o.name
      }`,
    );
  console.log('\ntop functions by self time:');
  for (const f of s.functions)
    console.log(
      `  ${f.share.padStart(6)}  ${f.selfMs.toFixed(0).padStart(7)} ms  ${
        f.name
      }`,
    );
}
