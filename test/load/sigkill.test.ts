import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { readRecords } from '../../src/load/records.ts';

const dir = mkdtempSync(join(tmpdir(), 'sigkill-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps every completed request in a valid records file when the run is SIGKILLed', async () => {
  const path = join(dir, 'records.jsonl');
  const script = fileURLToPath(new URL('./fixtures/killable-child.ts', import.meta.url));
  // node --import tsx (not npx tsx): the kill must hit the process that writes, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const reported: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child reported ${reported.length} ids in 20 s; stderr: ${stderr}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        reported.push(...lines.filter(Boolean));
        if (reported.length >= 200) {
          clearTimeout(timer);
          // Kill mid-run, with requests in flight.
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early; stderr: ${stderr}`)));
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  const read = readRecords(path);
  expect(read.header?.runId).toBe('sigkill');
  expect(read.corruptLines).toEqual([]);
  const ids = new Set(read.records.map((r) => r.id));
  const missing = reported.filter((id) => !ids.has(id));
  expect(missing).toEqual([]);
  expect(read.records.length).toBeGreaterThanOrEqual(reported.length);
  for (const r of read.records) expect(r).toMatchObject({ ok: true, usageSource: 'server' });
});
