import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunHeader } from '../../src/client/types.ts';
import { readRecords, RecordsWriter } from '../../src/load/records.ts';
import { streamed } from '../metrics/build.ts';

const dir = mkdtempSync(join(tmpdir(), 'records-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header: RunHeader = { type: 'header', runId: 'run-1', model: 'sim', test: 'records', timeOriginMs: performance.timeOrigin, startedAt: new Date().toISOString(), seed: 7 };

describe('RecordsWriter', () => {
  it('writes the header then one line per record, readable at once', () => {
    const path = join(dir, 'nested', 'a.jsonl');
    const w = new RecordsWriter(path, header);
    const r1 = streamed(1, [2, 3]);
    w.append(r1);
    // Appended lines are on disk before close: this is what survives a kill.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    w.append(streamed(4, [5]));
    expect(w.count).toBe(2);
    w.close();
    w.close();
    expect(() => w.append(r1)).toThrow(/closed/);
    const read = readRecords(path);
    expect(read.header).toEqual(header);
    expect(read.records).toHaveLength(2);
    expect(read.records[0]).toEqual(r1);
    expect(read.tornLastLine).toBeNull();
    expect(read.corruptLines).toEqual([]);
  });
});

describe('readRecords', () => {
  it('keeps every complete line and reports a torn last line', () => {
    const path = join(dir, 'torn.jsonl');
    const w = new RecordsWriter(path, header);
    for (let i = 0; i < 3; i++) w.append(streamed(i, [i + 1]));
    w.close();
    appendFileSync(path, '{"id":"r-cut","ok":tr');
    const read = readRecords(path);
    expect(read.records).toHaveLength(3);
    expect(read.tornLastLine).toBe('{"id":"r-cut","ok":tr');
  });

  it('keeps a last line that is complete JSON missing only its newline', () => {
    const path = join(dir, 'no-newline.jsonl');
    writeFileSync(path, `${JSON.stringify(header)}\n${JSON.stringify(streamed(0, [1]))}`);
    const read = readRecords(path);
    expect(read.records).toHaveLength(1);
    expect(read.tornLastLine).toBeNull();
  });

  it('reports corrupt lines in the middle with their line numbers', () => {
    const path = join(dir, 'corrupt.jsonl');
    writeFileSync(path, `${JSON.stringify(header)}\nnot json\n${JSON.stringify(streamed(0, [1]))}\n`);
    const read = readRecords(path);
    expect(read.records).toHaveLength(1);
    expect(read.corruptLines).toEqual([{ line: 2, text: 'not json' }]);
  });

  it('gives a null header for a file without one', () => {
    const path = join(dir, 'headless.jsonl');
    writeFileSync(path, `${JSON.stringify(streamed(0, [1]))}\n`);
    expect(readRecords(path).header).toBeNull();
    expect(readRecords(path).records).toHaveLength(1);
  });
});
