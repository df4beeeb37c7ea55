/**
 * Writes a run folder's reports: charts/*.svg, report.md, report.html, results.json and
 * summary.csv. Leaves records/ untouched. Every byte written passes the secret scrubber.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDefs, compileChart, renderSvg } from './charts.ts';
import { renderCsv } from './csv.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import type { BenchResults } from './results-types.ts';
import { scrubDeep, scrubSecrets } from './sanitize.ts';
import { buildReport, type RenderedChart } from './sections.ts';

export interface WrittenReport {
  files: string[];
  markdown: string;
}

export async function renderCharts(results: BenchResults, runDir: string, write: (rel: string, text: string) => void): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  mkdirSync(join(runDir, 'charts'), { recursive: true });
  for (const def of chartDefs(results)) {
    const spec = compileChart(def);
    const file = `charts/${def.id}.svg`;
    write(file, await renderSvg(spec));
    out.push({ id: def.id, title: def.title, section: def.section, file, spec });
  }
  return out;
}

export async function writeReports(runDir: string, raw: BenchResults, secrets: readonly string[] = []): Promise<WrittenReport> {
  mkdirSync(runDir, { recursive: true });
  // Scrub the data before rendering (escaping would hide a key from the final pass) and every
  // file after (defence in depth).
  const results = scrubDeep(raw, secrets);
  const files: string[] = [];
  const write = (rel: string, text: string) => {
    const path = join(runDir, rel);
    writeFileSync(path, scrubSecrets(text, secrets));
    files.push(path);
  };
  const charts = await renderCharts(results, runDir, write);
  const blocks = buildReport(results, charts);
  const markdown = scrubSecrets(renderMarkdown(blocks), secrets);
  write('report.md', markdown);
  write('report.html', renderHtml(blocks, `Benchmark report ${results.runId}`));
  write('results.json', JSON.stringify(results, null, 2) + '\n');
  write('summary.csv', renderCsv(results));
  return { files, markdown };
}
