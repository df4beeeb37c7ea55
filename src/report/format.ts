/** Number formatting shared by every table; a missing value is always "n/a", never 0. */

export const NA = 'n/a';

export function num(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NA;
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return x.toFixed(digits);
}

export function ms(x: number | null | undefined): string {
  return x === null || x === undefined ? NA : `${num(x, x < 10 ? 2 : 1)} ms`;
}

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? NA : `${(x * 100).toFixed(digits)}%`;
}

export function ratio(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? NA : `${x.toFixed(2)}x`;
}

export function signed(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return NA;
  const s = Number(x.toFixed(digits)).toString();
  return x > 0 ? `+${s}` : s;
}

export function bytes(n: number): string {
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** Formats a value in the unit a check or metric declares. */
export function withUnit(x: number | null | undefined, unit: string | undefined): string {
  if (x === null || x === undefined) return NA;
  if (unit === 'ms') return ms(x);
  // Units are the matcher's own words; fractions stay fractions (0.95), as declared in config.
  return unit ? `${num(x, 3)} ${unit}` : num(x, 3);
}
