/**
 * The text sent for a case, built in one place so the accuracy spec, the simulator's answer bank
 * and its tests agree on it.
 *
 * User text = the question, a blank line, then the set's instructions. The question is the case's
 * `prompt`, else its `description`; except in an older-tool set (no `instructions` in the file),
 * where an image case's description is a note about the image for humans (it often gives the
 * answer away: "payment receipt of ¥1200") and the question is the older tool's fixed prompt alone.
 */
import type { GoldenCase, GoldenSet } from '../config/golden.ts';

export function caseQuestion(set: Pick<GoldenSet, 'legacy'>, c: GoldenCase): string {
  if (c.prompt !== undefined) return c.prompt;
  if (set.legacy && c.modality === 'image') return '';
  return c.description ?? '';
}

export function casePromptText(set: Pick<GoldenSet, 'legacy' | 'instructions'>, c: GoldenCase): string {
  return [caseQuestion(set, c).trim(), set.instructions.trim()].filter(Boolean).join('\n\n');
}
