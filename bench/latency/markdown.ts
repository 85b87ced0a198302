/**
 * Prints the tables of docs/benchmarks.md from the results of `./run.ts`:
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/latency/markdown.ts [.cache/bench-latency.json]
 */
import { readFileSync } from 'node:fs';

type Row = Record<string, number | string>;

const f = (n: unknown, digits = 2) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '-';

export function latencyMarkdown(results: {
  rows: Row[];
  principal?: string;
  cellSeconds: number;
  rounds: number;
}): string {
  const out: string[] = [];
  const modes = [...new Set(results.rows.map(r => String(r.mode)))];
  for (const mode of modes) {
    out.push(
      `\n${
        results.principal ?? 'user'
      } principal, simulator keep-alive \`${mode}\` (medians of ${
        results.rounds
      } rounds, ${results.cellSeconds} s per cell):\n`,
      '| op | conns | direct p50 / p99 | proxy p50 / p99, req/s | plugin p50 / p99, req/s | added p50 proxy / plugin | added p99 proxy / plugin | plugin/proxy added p50 | added p99 | req/s | CPU/req |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of results.rows.filter(x => x.mode === mode)) {
      out.push(
        `| ${r.op} | ${r.connections} | ${f(r.directP50)} / ${f(
          r.directP99,
        )} ms | ${f(r.proxyP50)} / ${f(r.proxyP99)} ms, ${f(
          r.proxyRps,
          0,
        )} | ` +
          `${f(r.pluginP50)} / ${f(r.pluginP99)} ms, ${f(r.pluginRps, 0)} | ${f(
            r.addedP50Proxy,
          )} / ${f(r.addedP50Plugin)} ms | ` +
          `${f(r.addedP99Proxy)} / ${f(r.addedP99Plugin)} ms | **${f(
            r.ratioP50,
            1,
          )}×** | ${f(r.ratioP99, 1)}× | ${f(r.rpsRatio)}× | ` +
          `${f(r.pluginCpuMs)} / ${f(r.proxyCpuMs)} ms = ${f(
            r.cpuRatio,
            1,
          )}× |`,
      );
    }
  }
  return out.join('\n');
}

if (require.main === module) {
  const file = process.argv[2] ?? '.cache/bench-latency.json';
  console.log(latencyMarkdown(JSON.parse(readFileSync(file, 'utf8'))));
}
