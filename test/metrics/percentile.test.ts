import { describe, expect, it } from 'vitest';
import { distribution, minSamplesFor, percentile } from '../../src/metrics/percentile.ts';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentile (numpy linear, type 7)', () => {
  it('gives p50 50.5 and p99 99.01 for 1..100, like numpy', () => {
    expect(percentile(oneToHundred, 50)).toBeCloseTo(50.5, 10);
    expect(percentile(oneToHundred, 99)).toBeCloseTo(99.01, 10);
    expect(percentile(oneToHundred, 95)).toBeCloseTo(95.05, 10);
    expect(percentile(oneToHundred, 0)).toBe(1);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it('interpolates between ranks of unsorted input', () => {
    // numpy.percentile([15, 1, 7, 3], [25, 90]) == [2.5, 12.6]
    expect(percentile([15, 1, 7, 3], 25)).toBeCloseTo(2.5, 10);
    expect(percentile([15, 1, 7, 3], 90)).toBeCloseTo(12.6, 10);
  });

  it('returns the value for n = 1 and null for n = 0', () => {
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNull();
  });

  it('rejects percentiles outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('distribution', () => {
  it('summarises 1..100', () => {
    const d = distribution(oneToHundred);
    expect(d).toMatchObject({ n: 100, mean: 50.5, min: 1, max: 100 });
    expect(d.p50).toBeCloseTo(50.5, 10);
    expect(d.p90).toBeCloseTo(90.1, 10);
    expect(d.p99).toBeCloseTo(99.01, 10);
    // Sample stdev of 1..100 = sqrt(841.666...)
    expect(d.stdev).toBeCloseTo(29.011491975882016, 10);
  });

  it('has every statistic null when empty, and no stdev for one sample', () => {
    expect(distribution([])).toEqual({ n: 0, mean: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null, stdev: null });
    expect(distribution([7])).toEqual({ n: 1, mean: 7, min: 7, max: 7, p50: 7, p90: 7, p95: 7, p99: 7, stdev: null });
  });
});

describe('minSamplesFor', () => {
  it('asks for two samples beyond the percentile and at least five', () => {
    expect(minSamplesFor(50)).toBe(5);
    expect(minSamplesFor(90)).toBe(20);
    expect(minSamplesFor(95)).toBe(40);
    expect(minSamplesFor(99)).toBe(200);
    expect(minSamplesFor(0)).toBe(5);
    expect(minSamplesFor(100)).toBe(Number.POSITIVE_INFINITY);
  });
});
