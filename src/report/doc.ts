/**
 * The report as a small document tree, built once from results and rendered twice (Markdown and
 * HTML), so both reports always carry the same content. All text in the tree is raw: each
 * renderer escapes every string for its format, so no caller can forget to escape model output.
 */

export type Status = 'pass' | 'warn' | 'fail' | 'skipped' | 'error' | 'info';

export type Inline = string | { strong: string } | { code: string } | { status: Status; text: string };

export interface TableCell {
  text: string;
  status?: Status;
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; text: string; id?: string }
  | { kind: 'paragraph'; parts: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'table'; headers: string[]; rows: (string | TableCell)[][]; numeric?: boolean[] }
  | { kind: 'chart'; id: string; title: string; file: string; spec: object }
  | { kind: 'code'; text: string };

export const h = (level: 1 | 2 | 3 | 4, text: string, id?: string): Block => ({ kind: 'heading', level, text, ...(id ? { id } : {}) });
export const p = (...parts: Inline[]): Block => ({ kind: 'paragraph', parts });
export const ul = (items: Inline[][]): Block => ({ kind: 'list', items });
export const table = (headers: string[], rows: (string | TableCell)[][]): Block => ({ kind: 'table', headers, rows });

/** Status words as shown in both reports. */
export const STATUS_LABEL: Record<Status, string> = {
  pass: 'pass',
  warn: 'warn',
  fail: 'FAIL',
  skipped: 'skipped',
  error: 'ERROR',
  info: 'info',
};

/** A slug usable as an HTML id and a Markdown anchor. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
