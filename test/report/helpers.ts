import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_YAML } from './fixtures.ts';

/** A throwaway project root with models.yaml and a golden file declaring regression thresholds. */
export function tempRoot(regression: Record<string, number> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'bench-report-'));
  writeFileSync(join(root, 'models.yaml'), MODELS_YAML);
  mkdirSync(join(root, 'golden'));
  writeFileSync(
    join(root, 'golden', 'expectations.json'),
    JSON.stringify({
      cases: [],
      regression_thresholds: { category_precision_drop_max: 0.05, entity_recall_drop_max: 0.1, fact_recall_drop_max: 0.1, p95_latency_ratio_max: 1.5, must_not_say_delta_max: 0, ...regression },
    }),
  );
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'x', version: '9.8.7' }));
  return root;
}
