import { describe, expect, it } from 'vitest';
import { median, percentile } from '../bench/percentile.ts';

describe('the bench percentile and median', () => {
  it('reads the value at rank floor(p/100 · n), the largest for p = 100', () => {
    const values = [40, 10, 30, 20];
    expect(percentile(values, 50)).toBe(30);
    expect(percentile(values, 99)).toBe(40);
    expect(percentile(values, 100)).toBe(40);
    expect(percentile(values, 0)).toBe(10);
  });

  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('gives NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([])).toBeNaN();
  });
});
