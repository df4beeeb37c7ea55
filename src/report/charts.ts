/**
 * Chart definitions (Vega-Lite, compiled to Vega) and their server-side SVG rendering. The same
 * compiled spec is written as an SVG file for the Markdown report and embedded live in the HTML
 * report, so both show the same picture. One chart per figure, all models overlaid by colour.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchResults } from './results-types.ts';

export interface ChartDef {
  /** File stem and HTML id: `latency-vs-concurrency`. */
  id: string;
  title: string;
  /** Which report section shows it. */
  section: 'concurrency' | 'latency' | 'stability' | 'token-budget';
  spec: TopLevelSpec;
}

type Row = Record<string, string | number | null>;

/** Interval selection bound to the scales: drag to pan, wheel to zoom (HTML report only). */
const ZOOM = [{ name: 'zoom', select: 'interval', bind: 'scales' }] as const;

function lineChart(id: string, title: string, section: ChartDef['section'], values: Row[], x: { field: string; title: string }, y: { field: string; title: string }, color: string): ChartDef {
  return {
    id,
    title,
    section,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 560,
      height: 260,
      data: { values },
      params: [...ZOOM],
      mark: { type: 'line', point: true, tooltip: true },
      encoding: {
        x: { field: x.field, type: 'quantitative', title: x.title },
        y: { field: y.field, type: 'quantitative', title: y.title },
        color: { field: color, type: 'nominal', title: null },
      },
    } as TopLevelSpec,
  };
}

function histogramChart(id: string, title: string, values: Row[], xTitle: string): ChartDef {
  return {
    id,
    title,
    section: 'token-budget',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 560,
      height: 220,
      data: { values },
      params: [...ZOOM],
      mark: { type: 'bar', opacity: 0.7, tooltip: true },
      encoding: {
        x: { field: 'from', type: 'quantitative', title: xTitle },
        x2: { field: 'to' },
        y: { field: 'count', type: 'quantitative', title: 'requests', stack: null },
        color: { field: 'model', type: 'nominal', title: null },
      },
    } as TopLevelSpec,
  };
}

export function chartDefs(results: BenchResults): ChartDef[] {
  const lat: Row[] = [];
  const tput: Row[] = [];
  const ttft: Row[] = [];
  const soak: Row[] = [];
  const inHist: Row[] = [];
  const outHist: Row[] = [];
  for (const t of results.tests) {
    const b = t.bench;
    if (!b) continue;
    for (const pt of b.sweep?.points ?? []) {
      const s = pt.summary;
      lat.push({ series: `${b.model} p50 E2E`, load: pt.load, ms: s.e2e.p50 }, { series: `${b.model} p95 E2E`, load: pt.load, ms: s.e2e.p95 }, { series: `${b.model} p95 TTFT`, load: pt.load, ms: s.ttft.p95 });
      tput.push({ model: b.model, load: pt.load, tokensPerS: s.outputTokensPerS });
    }
    for (const pl of b.ttftByPromptLength ?? []) {
      ttft.push({ series: `${b.model} p50`, inputTokens: pl.inputTokens, ms: pl.ttft.p50 }, { series: `${b.model} p95`, inputTokens: pl.inputTokens, ms: pl.ttft.p95 });
    }
    for (const w of b.timeline ?? []) {
      soak.push({ series: `${b.model} p50`, tS: w.tS, ms: w.p50Ms }, { series: `${b.model} p95`, tS: w.tS, ms: w.p95Ms });
    }
    const tb = b.tokenBudget;
    if (tb) {
      for (const [hist, into] of [[tb.inputTokens, inHist], [tb.outputTokens, outHist]] as const) {
        hist.counts.forEach((count, i) => {
          const from = hist.edges[i];
          const to = hist.edges[i + 1] ?? (from !== undefined ? from + 1 : undefined);
          if (from !== undefined && to !== undefined) into.push({ model: b.model, from, to, count });
        });
      }
    }
  }
  const charts: ChartDef[] = [];
  if (lat.length) charts.push(lineChart('latency-vs-concurrency', 'Latency vs concurrency', 'concurrency', lat, { field: 'load', title: 'concurrency' }, { field: 'ms', title: 'latency (ms)' }, 'series'));
  if (tput.length) charts.push(lineChart('throughput-vs-concurrency', 'Output throughput vs concurrency', 'concurrency', tput, { field: 'load', title: 'concurrency' }, { field: 'tokensPerS', title: 'output tokens/s' }, 'model'));
  if (ttft.length) charts.push(lineChart('ttft-by-prompt-length', 'TTFT by prompt length', 'latency', ttft, { field: 'inputTokens', title: 'prompt tokens' }, { field: 'ms', title: 'TTFT (ms)' }, 'series'));
  if (soak.length) charts.push(lineChart('soak-latency-timeline', 'Soak latency timeline', 'stability', soak, { field: 'tS', title: 'seconds since start' }, { field: 'ms', title: 'E2E latency (ms)' }, 'series'));
  if (inHist.length) charts.push(histogramChart('input-token-histogram', 'Input tokens per request', inHist, 'input tokens'));
  if (outHist.length) charts.push(histogramChart('output-token-histogram', 'Output tokens per request', outHist, 'output tokens'));
  return charts;
}

/** Vega-Lite -> Vega, done once at report time so the HTML needs only the Vega runtime. */
export function compileChart(def: ChartDef): vega.Spec {
  return compile(def.spec).spec;
}

/** Renders a compiled spec to an SVG string headlessly (no browser, no canvas). */
export async function renderSvg(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
