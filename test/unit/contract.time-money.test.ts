import { describe, expect, it } from 'vitest';
import { ContractError, isCalendarDate, isYuanAmount, parseTimestamp, shanghaiDate, yuanToFen } from '../../packages/contract/index.ts';

describe('shanghaiDate', () => {
  it.each([
    ['2026-12-31T20:00:00Z', '2027-01-01'],
    ['2026-12-31T15:59:59.999Z', '2026-12-31'],
    ['2026-12-31T16:00:00Z', '2027-01-01'],
    ['2026-11-24T00:30:00+08:00', '2026-11-24'],
    ['2026-11-23T23:30:00-05:00', '2026-11-24'],
    ['2028-02-28T16:00:00Z', '2028-02-29'],
    ['2026-06-30T23:59:59+14:00', '2026-06-30'],
  ])('%s counts on %s', (time, date) => {
    expect(shanghaiDate(time)).toBe(date);
  });

  it('refuses a timestamp without offset', () => {
    expect(() => shanghaiDate('2026-11-24T10:00:00')).toThrow(ContractError);
  });
});

describe('parseTimestamp', () => {
  it('reads offsets and fractions', () => {
    expect(parseTimestamp('2026-11-24T12:00:00+08:00')?.epochMs).toBe(Date.UTC(2026, 10, 24, 4));
    expect(parseTimestamp('2026-11-24t04:00:00.250z')?.epochMs).toBe(Date.UTC(2026, 10, 24, 4, 0, 0, 250));
    expect(parseTimestamp('2026-11-24T04:00:00.0000001Z')).toEqual({ epochMs: Date.UTC(2026, 10, 24, 4), subMillisecond: true });
  });

  it.each([
    '2026-11-24T12:00:00',
    '2026-11-24 12:00:00Z',
    '2026-11-24',
    '2026-02-30T12:00:00Z',
    '2026-13-01T12:00:00Z',
    '2026-11-24T24:00:00Z',
    '2026-11-24T12:60:00Z',
    '2026-12-31T23:59:60Z',
    '2026-11-24T12:00:00+0800',
    '2026-11-24T12:00:00+24:00',
    '2026-11-24T12:00Z',
    '20261124T120000Z',
  ])('rejects %s', (time) => {
    expect(parseTimestamp(time)).toBeUndefined();
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2026-11-24', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2100-02-29', false],
    ['2000-02-29', true],
    ['2026-4-01', false],
    ['2026-04-31', false],
    ['2026-04-01T00:00:00Z', false],
  ])('%s → %s', (date, expected) => {
    expect(isCalendarDate(date)).toBe(expected);
  });
});

describe('money', () => {
  it.each([
    [12.34, 1234],
    [0, 0],
    [-0, 0],
    [0.1 + 0.2, 30],
    [0.29, 29],
    [1.005 + 0.005, 101],
    [56_850_000, 5_685_000_000],
    [99_999_999_999.99, 9_999_999_999_999],
  ])('%s yuan is %s fen', (yuan, fen) => {
    expect(isYuanAmount(yuan)).toBe(true);
    expect(Object.is(yuanToFen(yuan), fen)).toBe(true);
  });

  it.each([12.345, 0.001, -0.01, -1, Number.NaN, Number.POSITIVE_INFINITY, 100_000_000_000.01])('rejects %s yuan', (yuan) => {
    expect(isYuanAmount(yuan)).toBe(false);
    expect(() => yuanToFen(yuan)).toThrow(ContractError);
  });
});
