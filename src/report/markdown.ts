/** Renders the report tree as GitHub-flavoured Markdown; every string goes through escapeMarkdown. */
import { STATUS_LABEL, type Block, type Inline, type TableCell } from './doc.ts';
import { escapeMarkdown as esc } from './sanitize.ts';

function inline(part: Inline): string {
  if (typeof part === 'string') return esc(part);
  if ('strong' in part) return `**${esc(part.strong)}**`;
  if ('code' in part) {
    // A code span cannot contain its own delimiter run: use one longer than any inside.
    const text = part.code.replace(/\r?\n/g, ' ');
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
    const fence = '`'.repeat(longest + 1);
    const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
    // Inside a table a bare | still splits the cell (GFM), even in code.
    return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
  }
  return `**${esc(STATUS_LABEL[part.status])}** ${esc(part.text)}`.trimEnd();
}

function cell(c: string | TableCell): string {
  if (typeof c === 'string') return esc(c);
  const label = c.status ? `**${STATUS_LABEL[c.status]}**` : '';
  return [label, esc(c.text)].filter(Boolean).join(' ');
}

export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${esc(b.text)}`);
        break;
      case 'paragraph':
        out.push(b.parts.map(inline).join(''));
        break;
      case 'list':
        out.push(b.items.map((parts) => `- ${parts.map(inline).join('')}`).join('\n'));
        break;
      case 'table': {
        if (b.rows.length === 0) break;
        const lines = [`| ${b.headers.map(esc).join(' | ')} |`, `|${b.headers.map(() => '---').join('|')}|`];
        for (const r of b.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
        out.push(lines.join('\n'));
        break;
      }
      case 'chart':
        // The file name is ours (slugged), but escape the alt text: titles carry model names.
        out.push(`![${esc(b.title)}](${encodeURI(b.file)})`);
        break;
      case 'code': {
        const longest = Math.max(2, ...(b.text.match(/`+/g) ?? []).map((m) => m.length));
        const fence = '`'.repeat(longest + 1);
        out.push(`${fence}text\n${b.text}\n${fence}`);
        break;
      }
    }
  }
  return out.join('\n\n') + '\n';
}
