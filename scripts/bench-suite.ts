/**
 * Wall time of the whole suite (all six dimensions for every enabled model) in a profile, against
 * the shipped simulated models: `npm run bench:suite [-- --profile quick]`. Writes
 * bench-results/suite.{json,md}.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { profile: { type: 'string', default: 'quick' } } });
const profile = values.profile!;
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
const started = performance.now();
const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.config.ts'], {
  env: { ...process.env, BENCH_PROFILE: profile },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (b: Buffer) => {
  out += b.toString();
  process.stdout.write(b);
});
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 2)));
const wallS = (performance.now() - started) / 1000;
const counts = /^(\d+) passed, (\d+) failed/m.exec(out);
const result = {
  command: `npm run bench:suite -- --profile ${profile}`,
  profile,
  exitCode: code,
  wallSeconds: Number(wallS.toFixed(1)),
  passed: counts ? Number(counts[1]) : null,
  failed: counts ? Number(counts[2]) : null,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageAtStart: load },
  date: new Date().toISOString(),
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/suite.json', JSON.stringify(result, null, 2) + '\n');
const md = [
  '# Suite wall time',
  '',
  '| metric | value |',
  '|---|---|',
  `| command | \`${result.command}\` |`,
  `| machine | ${result.machine.cpus} cores, ${result.machine.cpu}, Node ${result.machine.node}, load average at start ${load} |`,
  `| profile | ${profile}: all six dimensions for every enabled model in models.yaml |`,
  `| wall time | ${result.wallSeconds} s (exit code ${code}; ${result.passed ?? '?'} passed, ${result.failed ?? '?'} failed) |`,
  `| date | ${result.date} |`,
  '',
].join('\n');
writeFileSync('bench-results/suite.md', md);
process.stdout.write('\n' + md);
process.exit(code === 0 ? 0 : 1);
