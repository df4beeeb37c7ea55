/**
 * What the global setup hands each benchmark worker about the model it benchmarks. It crosses a
 * process boundary (structured clone), so it is plain data.
 */
import type { Endpoint } from '../client/types.ts';
import type { Plan } from '../config/profiles.ts';
import type { Threshold } from '../config/thresholds.ts';

export interface BenchTarget {
  /** The models.yaml entry name (= the Vitest project name). */
  model: string;
  endpoint: Endpoint;
  modalities: ('text' | 'image')[];
  taskType?: string;
  maxModelLen?: number;
  price?: { inputPerMillion: number; outputPerMillion: number; currency: string };
  baseline?: string;
  /** Every threshold that applies to this model, parsed and validated before the first request. */
  thresholds: Threshold[];
  plan: Plan;
  /** Absolute path of this run's folder (records, charts, reports). */
  runDir: string;
  /** Absolute path of the golden set for the accuracy dimension. */
  goldenFile: string;
  /** How the endpoint came to be up. */
  origin: 'sim' | 'launch' | 'external';
  /** Optional local tokenizer.json for exact prompt lengths when the server has no /tokenize. */
  tokenizerJson?: string;
}
