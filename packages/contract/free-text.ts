/**
 * Rules for free text (names, certificate and case numbers, reasons,
 * activities) and for every string an event carries.
 *
 * Free text must contain at least one visible character and no invisible
 * control. Precisely, by Unicode general category and property:
 * - forbidden anywhere: Cc (C0/C1 controls, DEL), Cf (format characters:
 *   bidirectional overrides and marks such as U+202E, zero-width space,
 *   joiners, the BOM U+FEFF, soft hyphen), Zl and Zp (U+2028, U+2029),
 *   Cs (an unpaired surrogate), noncharacters (U+FFFE, U+FDD0…) and U+FFFD.
 *   None of these is ever part of a name or a number, and each can make a
 *   record display differently from what it holds (a spoofed or blank name);
 * - visible: a letter, digit, punctuation or symbol (L, N, P, S), or a
 *   private-use character (Co: registries still encode some rare characters
 *   of personal names there), that is not Default_Ignorable_Code_Point
 *   (Hangul fillers U+3164/U+115F/U+FFA0, variation selectors) and not the
 *   blank Braille pattern U+2800. Spaces (Z*) and combining marks (M) are
 *   allowed but do not count as visible.
 * Unassigned code points (Cn) are allowed: which ones are unassigned depends
 * on the Unicode version of the Node.js runtime, and a rule that changed
 * with the runtime would make the same event valid in one place and not in
 * another.
 */

const forbiddenCharacter = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}\uFFFD]/u;
const unpairedSurrogate = /\p{Cs}/u;
const visibleCharacter = /(?![\p{Default_Ignorable_Code_Point}\u2800])[\p{L}\p{N}\p{P}\p{S}\p{Co}]/u;

/**
 * Why `value` is not valid Unicode text as received, or undefined. U+FFFD is
 * what a decoder puts in place of bytes that were not UTF-8, so it is treated
 * as a decoding failure rather than as text. Never repeats the input.
 */
export function encodingProblem(value: string): string | undefined {
  if (value.includes('\uFFFD')) return 'contains U+FFFD, the replacement character: the text was not valid UTF-8 when it was decoded';
  if (unpairedSurrogate.test(value)) return 'contains an unpaired surrogate: not valid Unicode';
  return undefined;
}

/**
 * Why `value` is not acceptable free text, or undefined when it is: an
 * encoding problem first, then a forbidden character, then the lack of a
 * visible one. Never repeats the input.
 */
export function freeTextProblem(value: string): string | undefined {
  const encoding = encodingProblem(value);
  if (encoding !== undefined) return encoding;
  if (forbiddenCharacter.test(value)) {
    return 'must not contain control, format or separator characters (such as U+0000–U+001F, U+202E, U+200B, U+FEFF, U+2028)';
  }
  if (!visibleCharacter.test(value)) return 'must contain a visible character (a letter, digit, punctuation mark or symbol)';
  return undefined;
}
