import { describe, expect, test } from 'vitest';
import { applyPersona } from '../../src/sim/answers.ts';

const entry = {
  case_id: 'noodles',
  match: 'noodle',
  answer: '{"entities": ["Noodle House", "¥120"], "facts": ["Total ¥120"], "numbers": ["¥90", "¥30", "¥120"], "id": "A-1200"}',
};

describe('digit_drift persona', () => {
  test('the misread number is misread everywhere, other numbers and larger numbers untouched', () => {
    const out = applyPersona(entry, 'digit_drift');
    expect(out).not.toMatch(/¥120(?!\d)/);
    expect(out.match(/¥1200/g)).toHaveLength(3);
    expect(out).toContain('"¥90"');
    expect(out).toContain('"A-1200"');
  });

  test('thousands separators are kept in the drifted number', () => {
    expect(applyPersona({ ...entry, answer: 'paid ¥1,200 (¥1,200 total)' }, 'digit_drift')).toBe('paid ¥12,000 (¥12,000 total)');
  });
});
