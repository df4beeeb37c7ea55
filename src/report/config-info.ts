/**
 * The few facts the report needs from the user's configuration, read leniently: the run has
 * already happened (or is being re-rendered later), so a config problem must not lose the report.
 * The suite's own loader validates these files strictly before any request is sent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve, relative } from 'node:path';
import { parse } from 'yaml';
import type { ModelInfo, RegressionThresholds } from './results-types.ts';
import { stripUrlSecrets } from './sanitize.ts';
import { REGRESSION_DEFAULTS } from '../config/vocabulary.ts';

export interface ConfigInfo {
  models: ModelInfo[];
  /** Names (never values) of the env vars holding API keys. */
  apiKeyEnvs: string[];
  /** The golden file the accuracy dimension uses, for its regression thresholds. */
  goldenFile: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads models.yaml (path from BENCH_MODELS_FILE, default models.yaml); empty info when absent or unreadable. */
export function readConfigInfo(root = process.cwd(), env: NodeJS.ProcessEnv = process.env): ConfigInfo {
  const file = resolve(root, env.BENCH_MODELS_FILE ?? 'models.yaml');
  const info: ConfigInfo = { models: [], apiKeyEnvs: [], goldenFile: resolve(root, 'golden/expectations.json') };
  if (!existsSync(file)) return info;
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch {
    return info;
  }
  if (!isObj(doc)) return info;
  const bench = isObj(doc.benchmarks) ? doc.benchmarks : {};
  const acc = isObj(bench.accuracy) ? bench.accuracy : {};
  const golden = str(acc.golden_file);
  if (golden) info.goldenFile = resolve(root, golden);
  const keyEnvs = new Set<string>();
  const topKey = str(doc.api_key_env);
  if (topKey) keyEnvs.add(topKey);
  for (const m of Array.isArray(doc.models) ? doc.models : []) {
    if (!isObj(m)) continue;
    const name = str(m.name);
    const keyEnv = str(m.api_key_env);
    if (keyEnv) keyEnvs.add(keyEnv);
    if (!name) continue;
    const port = typeof m.port === 'number' ? m.port : undefined;
    const unixSocket = str(m.unix_socket);
    const rawUrl = str(m.base_url) ?? (unixSocket !== undefined ? 'http://localhost/v1' : port !== undefined ? `http://localhost:${port}/v1` : undefined);
    const model: ModelInfo = { name };
    const provider = str(m.provider);
    if (provider) model.provider = provider;
    if (rawUrl) model.baseUrl = stripUrlSecrets(rawUrl);
    if (unixSocket) model.unixSocket = unixSocket;
    const served = str(m.served_model_name) ?? str(m.hf_repo);
    if (served) model.servedModelName = served;
    const baseline = str(m.baseline);
    if (baseline) model.baseline = baseline;
    info.models.push(model);
  }
  info.apiKeyEnvs = [...keyEnvs];
  return info;
}

/** The seed tool's values, used when the golden file declares none (said so in the report). */
export const DEFAULT_REGRESSION_THRESHOLDS: Omit<RegressionThresholds, 'source'> = REGRESSION_DEFAULTS;

export function readRegressionThresholds(goldenFile: string): RegressionThresholds {
  const fallback = { ...DEFAULT_REGRESSION_THRESHOLDS, source: 'defaults (no regression_thresholds in the golden file)' };
  if (!existsSync(goldenFile)) return fallback;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(goldenFile, 'utf8'));
  } catch {
    return fallback;
  }
  const rt = isObj(doc) && isObj(doc.regression_thresholds) ? doc.regression_thresholds : undefined;
  if (!rt) return fallback;
  const out: RegressionThresholds = { ...DEFAULT_REGRESSION_THRESHOLDS, source: `${relative(process.cwd(), goldenFile) || goldenFile}#regression_thresholds` };
  for (const key of Object.keys(DEFAULT_REGRESSION_THRESHOLDS) as (keyof typeof DEFAULT_REGRESSION_THRESHOLDS)[]) {
    const v = rt[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}
