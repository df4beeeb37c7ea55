import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResults } from '../../src/report/build.ts';
import type { BenchResults } from '../../src/report/results-types.ts';
import { writeReports } from '../../src/report/write.ts';
import { BASELINE, CANDIDATE, modelTests, XSS } from './fixtures.ts';
import { tempRoot } from './helpers.ts';

const schema = JSON.parse(readFileSync(new URL('../../schema/results.schema.json', import.meta.url), 'utf8')) as object;

describe('a full run folder from two models and every dimension', () => {
  let runDir: string;
  let results: BenchResults;
  let md: string;
  let html: string;

  beforeAll(async () => {
    const root = tempRoot();
    runDir = join(root, 'reports', 'run-1');
    const tests = [...modelTests(BASELINE), ...modelTests({ ...CANDIDATE, answer: XSS })];
    results = buildResults({ runId: 'run-1', tests, root, env: { BENCH_PROFILE: 'quick' }, startedAt: '2026-11-23T12:00:00.000Z' });
    await writeReports(runDir, results);
    md = readFileSync(join(runDir, 'report.md'), 'utf8');
    html = readFileSync(join(runDir, 'report.html'), 'utf8');
  });

  it('has the verdict table with a cell per model and dimension', () => {
    expect(md).toContain('## Verdict');
    expect(md).toMatch(/\| model \| accuracy \| latency \| throughput \| concurrency \| stability \| token-budget \|/);
    const candidateRow = md.split('\n').find((l) => l.startsWith('| sim-candidate |'));
    expect(candidateRow).toBeDefined();
    // The candidate's latency check is warn-level: it passes but shows as warn, with its message.
    expect(candidateRow!.split('|')[3]).toContain('**warn** p95 TTFT');
    expect(md.split('\n').find((l) => l.startsWith('| sim-baseline |'))).not.toContain('warn');
  });

  it('has a section for every dimension with its tables', () => {
    for (const title of ['## Accuracy', '## Latency', '## Throughput', '## Concurrency', '## Stability', '## Token budget', '## Environment', '## Metric definitions']) {
      expect(md).toContain(title);
    }
    expect(md).toMatch(/\| TTFT \| 40 \| /); // percentile table with n
    expect(md).toContain('| concurrency | requests | success rate | p50 E2E | p95 E2E |');
    expect(md).toContain('Saturation point: concurrency 4');
    expect(md).toContain('p95 last/first');
    expect(md).toContain('| prompt + max\\_tokens over the context window | silent\\_truncation |');
    expect(md).toContain('cost per request');
    expect(md).toContain('balance\\_diff\\_1200'); // the fact that was missed
    expect(md).toContain('numpy default, "type 7"');
    expect(md).toContain('| suite version | 9.8.7 |');
    expect(md).toContain('seed=20261123');
  });

  it('writes every chart as a Vega SVG file referenced from the Markdown', () => {
    const charts = readdirSync(join(runDir, 'charts')).sort();
    expect(charts).toEqual(
      ['input-token-histogram.svg', 'latency-vs-concurrency.svg', 'output-token-histogram.svg', 'soak-latency-timeline.svg', 'throughput-vs-concurrency.svg', 'ttft-by-prompt-length.svg'],
    );
    for (const f of charts) {
      const svg = readFileSync(join(runDir, 'charts', f), 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toMatch(/class="mark-(line|rect|symbol)/); // data marks were drawn
      expect(svg).toContain('sim-candidate'); // the legend names the models
      expect(md).toContain(`](charts/${f})`);
    }
    expect(readFileSync(join(runDir, 'charts', 'latency-vs-concurrency.svg'), 'utf8')).toContain('concurrency');
  });

  it('writes results.json that validates against schema/results.schema.json', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const doc = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as unknown;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    // ...and the schema has teeth: a broken document is rejected.
    const broken = structuredClone(doc) as { tests: { bench: { checks: { status: string }[] } }[] };
    broken.tests[0]!.bench.checks[0]!.status = 'maybe';
    expect(validate(broken)).toBe(false);
  });

  it('writes summary.csv with one row per test', () => {
    const lines = readFileSync(join(runDir, 'summary.csv'), 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + results.tests.length);
    expect(lines[0]).toMatch(/^model,dimension,test,state,/);
    expect(lines.find((l) => l.startsWith('sim-baseline,latency,'))).toContain(',passed,1,0,0,40,1,60,');
  });

  it('strips credentials from base URLs', () => {
    expect(md).toContain('| sim-baseline | sim | http://127.0.0.1:8011/v1 |');
    for (const text of [md, html, readFileSync(join(runDir, 'results.json'), 'utf8')]) {
      expect(text).not.toContain('user:pw');
      expect(text).not.toContain('token=abc');
    }
  });

  it('escapes model output in both reports', () => {
    expect(md).not.toContain('<script>alert');
    expect(md).not.toContain('**x**');
    expect(md).not.toContain('[l](javascript:x)');
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*\\*x\\*\\* \\[l\\](javascript:x)');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; | **x** [l](javascript:x)');
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it('compares the candidate with its declared baseline and gives a verdict', () => {
    expect(results.comparisons).toHaveLength(1);
    const c = results.comparisons[0]!;
    expect(c.canReplace).toBe(true);
    expect(md).toContain('## Can the candidate replace the baseline?');
    expect(md).toContain('**pass** Verdict: sim-candidate can replace sim-baseline.');
    expect(md).toMatch(/\| latency &gt; chat 512 -&gt; 128 \| p95 end-to-end latency \| 1672\.2 ms \| 2006\.6 ms \| \+334\.4 ms \| 1\.20x \| p95\\_latency\\_ratio\\_max 1\.5 \| \*\*pass\*\*/);
  });

  it('writes a self-contained HTML report with live charts', () => {
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<figure data-chart=/g)).toHaveLength(6);
    expect(html).toContain('vega.View');
    expect(existsSync(join(runDir, 'records'))).toBe(false); // nothing invented; records come from workers
  });
});
