import { describe, expect, it } from 'vitest';
import {
  ContractError,
  isDivisionCode,
  isValidResidentId,
  isValidUscc,
  residentIdCheckCharacter,
  residentIdProblem,
  usccCheckCharacter,
  usccProblem,
} from '../../packages/contract/index.ts';
import { residentIdFor, usccFor } from '../../packages/contract/fixtures.ts';

describe('resident ID numbers (ISO 7064 MOD 11-2)', () => {
  it.each(['11010519491231002X', '440524188001010014', '000000000000000001'])('accepts %s', (id) => {
    expect(isValidResidentId(id)).toBe(true);
  });

  it('accepts a lower-case x check character, the same person as upper-case X', () => {
    expect(isValidResidentId('11010519491231002x')).toBe(true);
  });

  it.each([
    ['110105194912310021', 'invalid check character'],
    ['11010519491231002Y', 'must be 17 digits followed by a digit or X'],
    ['1101051949123100X2', 'must be 17 digits followed by a digit or X'],
    ['11010519491231002', 'must be 18 characters'],
    ['11010519491231002XX', 'must be 18 characters'],
    ['', 'must be 18 characters'],
    ['１1010519491231002X', 'must be 17 digits followed by a digit or X'],
  ])('rejects %s: %s', (id, problem) => {
    expect(isValidResidentId(id)).toBe(false);
    expect(residentIdProblem(id)).toBe(problem);
  });

  it('catches every single-digit change of a valid number', () => {
    const valid = '11010519491231002X';
    let caught = 0;
    for (let position = 0; position < 17; position++) {
      for (let digit = 0; digit <= 9; digit++) {
        const changed = valid.slice(0, position) + String(digit) + valid.slice(position + 1);
        if (changed !== valid && !isValidResidentId(changed)) caught++;
      }
    }
    expect(caught).toBe(17 * 9);
  });

  it('computes the check character from the weights (sum 0 → "1")', () => {
    expect(residentIdCheckCharacter('00000000000000000')).toBe('1');
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(() => residentIdCheckCharacter('1101051949123100')).toThrow(ContractError);
  });
});

describe('unified social credit codes (GB 32100-2015)', () => {
  it.each(['91350100M000100Y43', '914403001922038216', '91440300708461136T', '000000000000000000'])('accepts %s', (code) => {
    expect(isValidUscc(code)).toBe(true);
  });

  it('maps a weighted sum divisible by 31 to check character 0', () => {
    expect(usccCheckCharacter('00000000000000000')).toBe('0');
  });

  it.each([
    ['91350100M000100Y44', 'invalid check character'],
    ['91350100m000100Y43', 'must use only 0-9 and upper-case A-Y without I, O, S, V, Z'],
    ['91350100I000100Y43', 'must use only 0-9 and upper-case A-Y without I, O, S, V, Z'],
    ['91350100O000100Y43', 'must use only 0-9 and upper-case A-Y without I, O, S, V, Z'],
    ['91350100Z000100Y43', 'must use only 0-9 and upper-case A-Y without I, O, S, V, Z'],
    ['91350100S000100Y43', 'must use only 0-9 and upper-case A-Y without I, O, S, V, Z'],
    ['91350100V000100Y43', 'must use only 0-9 and upper-case A-Y without I, O, S, V, Z'],
    ['91350100M000100Y4', 'must be 18 characters'],
  ])('rejects %s: %s', (code, problem) => {
    expect(isValidUscc(code)).toBe(false);
    expect(usccProblem(code)).toBe(problem);
  });

  it('rejects codes with a swapped pair of characters', () => {
    expect(isValidUscc('93150100M000100Y43')).toBe(false);
  });
});

describe('division codes', () => {
  it.each([
    ['500233000000', true],
    ['500233001000', true],
    ['50023300100', false],
    ['5002330010000', false],
    ['50023300100A', false],
    ['', false],
  ])('%s → %s', (code, expected) => {
    expect(isDivisionCode(code)).toBe(expected);
  });
});

describe('fixture generators', () => {
  it('residentIdFor gives valid, distinct Zhong County numbers', () => {
    const ids = Array.from({ length: 20_000 }, (_, n) => residentIdFor(n));
    expect(ids.every(isValidResidentId)).toBe(true);
    expect(new Set(ids).size).toBe(20_000);
    expect(residentIdFor(0)).toBe('500233196001010002');
    expect(residentIdFor(15_999_999).slice(0, 6)).toBe('500233');
    expect(() => residentIdFor(16_000_000)).toThrow(ContractError);
    expect(() => residentIdFor(-1)).toThrow(ContractError);
  });

  it('usccFor gives valid, distinct codes', () => {
    const codes = Array.from({ length: 20_000 }, (_, n) => usccFor(n));
    expect(codes.every(isValidUscc)).toBe(true);
    expect(new Set(codes).size).toBe(20_000);
    expect(usccFor(9_999_999)).toMatch(/^91500233MA9999999[0-9A-HJ-NPQRTUWXY]$/);
    expect(() => usccFor(1.5)).toThrow(ContractError);
  });
});
