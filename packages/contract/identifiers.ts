/**
 * Identifier checks from the public contract: PRC resident identity numbers
 * (GB 11643-1999, ISO 7064 MOD 11-2), unified social credit codes
 * (GB 32100-2015) and statistical division codes.
 */
import { ContractError } from './errors.ts';

const residentIdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const residentIdCheckCharacters = '10X98765432';

/**
 * The ISO 7064 MOD 11-2 check character for the first 17 digits of a
 * resident identity number ('0'–'9' or 'X').
 * @throws ContractError when `first17` is not exactly 17 ASCII digits.
 */
export function residentIdCheckCharacter(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new ContractError('a resident ID number body must be 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (residentIdWeights[i] ?? 0);
  return residentIdCheckCharacters.charAt(sum % 11);
}

/**
 * Why `s` is not a valid resident identity number, or undefined when it is.
 * The text names the rule broken and never repeats the input.
 */
export function residentIdProblem(s: string): string | undefined {
  if (s.length !== 18) return 'must be 18 characters';
  if (!/^[0-9]{17}[0-9Xx]$/.test(s)) return 'must be 17 digits followed by a digit or X';
  if (residentIdCheckCharacter(s.slice(0, 17)) !== s.charAt(17).toUpperCase()) return 'invalid check character';
  return undefined;
}

/**
 * True when `s` is an 18-character PRC resident identity number whose
 * ISO 7064 MOD 11-2 check character is valid.
 *
 * A lowercase `x` check character is accepted: some registries write it that
 * way, and the person is the same, so pseudonyms are derived from the
 * upper-cased number. The embedded birth date and region are not checked,
 * because the contract asks only for the check character and a few genuine
 * numbers carry irregular dates.
 */
export function isValidResidentId(s: string): boolean {
  return residentIdProblem(s) === undefined;
}

/** GB 32100-2015 code characters; a character's value is its index here. */
const usccCharacters = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * The GB 32100-2015 check character for the first 17 characters of a
 * unified social credit code.
 * @throws ContractError when `first17` is not 17 code characters.
 */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new ContractError('a unified social credit code body must be 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = usccCharacters.indexOf(first17.charAt(i));
    if (value < 0) throw new ContractError('a unified social credit code uses only 0-9 and A-Y without I, O, S, V, Z');
    sum += value * (usccWeights[i] ?? 0);
  }
  const check = 31 - (sum % 31);
  return usccCharacters.charAt(check === 31 ? 0 : check);
}

/** Why `s` is not a valid unified social credit code, or undefined when it is. Never repeats the input. */
export function usccProblem(s: string): string | undefined {
  if (s.length !== 18) return 'must be 18 characters';
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(s)) return 'must use only 0-9 and upper-case A-Y without I, O, S, V, Z';
  if (usccCheckCharacter(s.slice(0, 17)) !== s.charAt(17)) return 'invalid check character';
  return undefined;
}

/**
 * True when `s` is an 18-character unified social credit code (GB 32100-2015)
 * with a valid check character. Upper case only: the code is an
 * organisation's key, and two spellings of one key would split its records.
 */
export function isValidUscc(s: string): boolean {
  return usccProblem(s) === undefined;
}

/** True when `s` has the shape of a statistical division code: exactly 12 ASCII digits. */
export function isDivisionCode(s: string): boolean {
  return /^[0-9]{12}$/.test(s);
}

/**
 * True when `text` contains, anywhere, an 18-character sequence that passes
 * the resident ID number check: 17 digits and a check digit or `X`/`x`.
 *
 * The text is first NFKC-normalised, so full-width digits (`１１０１…`) and
 * other compatibility forms that read as digits are caught too. Every
 * window of a longer digit run is tested: a number embedded in a 19-digit
 * string, or glued to letters (`NO110105…`), is still found. Separators
 * inside the number (`110105 1949…`) are not looked through: that is no
 * longer an 18-character sequence, and a rule that skipped spaces would
 * reject ordinary runs of numbers in free text.
 */
export function containsResidentId(text: string): boolean {
  const normalised = text.normalize('NFKC');
  let runStart = -1;
  for (let i = 0; i <= normalised.length; i++) {
    const code = i < normalised.length ? normalised.charCodeAt(i) : -1;
    const isDigit = code >= 48 && code <= 57;
    if (isDigit) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0) {
      // A run of digits [runStart, i), possibly followed by a check character X/x at i.
      const runEnd = i;
      const trailingX = code === 88 || code === 120;
      for (let start = runStart; start + 17 <= runEnd; start++) {
        const checkAt = start + 17;
        if (checkAt < runEnd || (checkAt === runEnd && trailingX)) {
          if (isValidResidentId(normalised.slice(start, start + 18))) return true;
        }
      }
      runStart = -1;
    }
  }
  return false;
}
