/**
 * The run's records file: a RunHeader line, then one JSON line per request, appended as each
 * request completes. Writes are synchronous on an open fd, so when `append` returns the line is
 * in the kernel's page cache: a SIGKILL of this process loses nothing already appended (only a
 * machine crash could, which is why there is no fsync per line: it would cost milliseconds each).
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RequestRecord, RunHeader } from '../client/types.ts';

export class RecordsWriter {
  readonly path: string;
  private fd: number | null;
  private written = 0;

  /** Create (truncate) the file at `path`, creating its folder, and write the header line. */
  constructor(path: string, header: RunHeader) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    this.writeLine(header);
  }

  /** Records appended so far (the header not counted). */
  get count(): number {
    return this.written;
  }

  /** Append one record as one line; returns once the bytes are handed to the kernel. */
  append(record: RequestRecord): void {
    this.writeLine(record);
    this.written++;
  }

  /** Close the file; appending afterwards throws. Idempotent. */
  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private writeLine(value: unknown): void {
    if (this.fd === null) throw new Error(`records file ${this.path} is closed; cannot append`);
    // One buffer per line and a loop over partial writes, so a line is never interleaved or cut
    // by this process (only by a kill between two writeSync calls of one huge line).
    const buf = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
  }
}

export interface ReadRecordsResult {
  header: RunHeader | null;
  records: RequestRecord[];
  /** The last line when it was cut short (the process died mid-write); not in `records`. */
  tornLastLine: string | null;
  /** Lines other than the last that are not valid JSON, with their 1-based line numbers. */
  corruptLines: Array<{ line: number; text: string }>;
}

/**
 * Read a records file. A torn last line (a write cut by a kill) is reported in `tornLastLine`
 * and skipped; every complete line is kept. A file without a header line gives `header: null`.
 */
export function readRecords(path: string): ReadRecordsResult {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  // A complete file ends with '\n', leaving an empty last element; anything else there is torn.
  const tail = lines.pop() ?? '';
  const result: ReadRecordsResult = { header: null, records: [], tornLastLine: null, corruptLines: [] };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      result.corruptLines.push({ line: i + 1, text: line.slice(0, 200) });
      return;
    }
    if (isHeader(value)) {
      if (i === 0) result.header = value;
      else result.corruptLines.push({ line: i + 1, text: 'a second header line' });
    } else {
      result.records.push(value as RequestRecord);
    }
  });
  if (tail.trim() !== '') {
    // Without its newline the line may still parse (killed between the JSON and the '\n'); keep it then.
    try {
      const value: unknown = JSON.parse(tail);
      if (isHeader(value) && lines.length === 0) result.header = value;
      else if (!isHeader(value)) result.records.push(value as RequestRecord);
    } catch {
      result.tornLastLine = tail;
    }
  }
  return result;
}

function isHeader(v: unknown): v is RunHeader {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'header';
}
