/**
 * Renders the report tree as ONE self-contained HTML file: styles, the Vega runtime and every
 * chart spec are inlined, so it opens from disk with no network. Charts are live Vega views
 * (tooltips, zoom and pan) drawn from the same compiled specs as the SVG files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { STATUS_LABEL, slug, type Block, type Inline, type TableCell } from './doc.ts';
import { escapeHtml as esc } from './sanitize.ts';

let vegaRuntime: string | undefined;

/** The minified browser build of Vega, found next to the package's module entry. */
export function vegaBrowserBundle(): string {
  if (vegaRuntime === undefined) {
    // The package's exports map hides build/vega.min.js; locate it from the module entry instead.
    // (createRequire, not import.meta.resolve: Vite's module runner, which loads reporters, lacks it.)
    const entry = createRequire(import.meta.url).resolve('vega');
    vegaRuntime = readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
  }
  return vegaRuntime;
}

/** Text placed inside <script> must not close it early. */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON inside <script type="application/json">: escape every '<' so no tag can form. */
function jsonScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function inline(part: Inline): string {
  if (typeof part === 'string') return esc(part);
  if ('strong' in part) return `<strong>${esc(part.strong)}</strong>`;
  if ('code' in part) return `<code>${esc(part.code)}</code>`;
  return `<span class="st st-${part.status}">${esc(STATUS_LABEL[part.status])}</span> ${esc(part.text)}`;
}

function cell(c: string | TableCell): string {
  if (typeof c === 'string') return `<td>${esc(c)}</td>`;
  const badge = c.status ? `<span class="st st-${c.status}">${esc(STATUS_LABEL[c.status])}</span> ` : '';
  return `<td${c.status ? ` class="cell-${c.status}"` : ''}>${badge}${esc(c.text)}</td>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#fff}
main{max-width:1100px;margin:0 auto;padding:16px 24px 64px}
nav{position:sticky;top:0;background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:6px 24px;font-size:13px;z-index:1}
nav a{margin-right:12px;color:#0969da;text-decoration:none}
h1{font-size:24px}h2{margin-top:36px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.cell-pass{background:#e6f4ea}td.cell-warn{background:#fff4d6}td.cell-fail,td.cell-error{background:#fde2e1}td.cell-skipped{background:#eef0f3}
.st{font-weight:600;font-size:11px;padding:0 4px;border-radius:3px}
.st-pass{color:#116329}.st-warn{color:#7d4e00}.st-fail,.st-error{color:#a40e26}.st-skipped,.st-info{color:#57606a}
figure{margin:12px 0 24px}figcaption{font-weight:600;margin-bottom:4px}
.chart{min-height:40px}
pre{background:#f6f8fa;padding:8px;overflow:auto}
`;

const BOOT = `
(function(){
  var figs=document.querySelectorAll('figure[data-chart]');
  figs.forEach(function(fig){
    var spec=JSON.parse(document.getElementById(fig.getAttribute('data-chart')).textContent);
    var el=fig.querySelector('.chart');
    new vega.View(vega.parse(spec),{renderer:'svg',container:el,hover:true}).runAsync()
      .catch(function(e){el.textContent='chart failed to render: '+e.message;});
  });
})();
`;

export function renderHtml(blocks: readonly Block[], title: string): string {
  const body: string[] = [];
  const nav: string[] = [];
  const specs: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading': {
        const id = b.id ?? slug(b.text);
        if (b.level === 2) nav.push(`<a href="#${esc(id)}">${esc(b.text)}</a>`);
        body.push(`<h${b.level} id="${esc(id)}">${esc(b.text)}</h${b.level}>`);
        break;
      }
      case 'paragraph':
        body.push(`<p>${b.parts.map(inline).join('')}</p>`);
        break;
      case 'list':
        body.push(`<ul>${b.items.map((i) => `<li>${i.map(inline).join('')}</li>`).join('')}</ul>`);
        break;
      case 'table':
        if (b.rows.length === 0) break;
        body.push(
          `<table><thead><tr>${b.headers.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>` +
            b.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('') +
            '</tbody></table>',
        );
        break;
      case 'chart': {
        const specId = `spec-${slug(b.id)}`;
        specs.push(`<script type="application/json" id="${esc(specId)}">${jsonScript(b.spec)}</script>`);
        body.push(
          `<figure data-chart="${esc(specId)}"><figcaption>${esc(b.title)}</figcaption><div class="chart" role="img" aria-label="${esc(b.title)}"></div></figure>`,
        );
        break;
      }
      case 'code':
        body.push(`<pre>${esc(b.text)}</pre>`);
        break;
    }
  }
  const hasCharts = specs.length > 0;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // No network at all: the report must open from disk, and must not be able to leak anything.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'unsafe-eval'; img-src data:">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${esc(title)}</title><style>${STYLE}</style></head><body>`,
    `<nav>${nav.join('')}</nav><main>`,
    ...body,
    '</main>',
    ...specs,
    hasCharts ? `<script>${scriptSafe(vegaBrowserBundle())}</script><script>${BOOT}</script>` : '',
    '</body></html>',
    '',
  ].join('\n');
}
