/**
 * One pass over every string of an event — values and field names, envelope
 * and data, at any depth — for what no field may carry: a resident ID number
 * outside the ID-number fields, or text that was not valid UTF-8.
 */
import { encodingProblem } from './free-text.ts';
import { containsResidentId } from './identifiers.ts';

/** The only data fields allowed to hold a resident ID number (EVENTS.md, "Identifiers and values"). */
export const idNumberFieldNames: ReadonlySet<string> = new Set(['idNumber', 'mentorIdNumber', 'apprenticeIdNumber']);

export interface StringFinding {
  /** `residentId`: an ID number where none may be; `encoding`: not valid Unicode text. */
  readonly kind: 'residentId' | 'encoding';
  /** True when the string lies inside `data` (the envelope otherwise). */
  readonly inData: boolean;
  /** Names the field (never the value), e.g. `data.holder.name: must not contain a resident ID number`. */
  readonly detail: string;
}

type Segment = string | number;

/** A path as a linked list from the leaf up: deep nesting costs one node per level, not a copied array. */
interface PathNode {
  readonly parent: PathNode | undefined;
  readonly segment: Segment;
}

function segmentsOf(node: PathNode | undefined): Segment[] {
  const out: Segment[] = [];
  for (let n = node; n !== undefined; n = n.parent) out.push(n.segment);
  return out.reverse();
}

/** A field name safe to repeat: identifier-like and free of ID numbers. */
function isRepeatableFieldName(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) && !containsResidentId(key);
}

/** `id`, `data.holder.name`, `data.orgCodes[2]`; unrepeatable names become `?`. */
export function formatFieldPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += `${out === '' ? '' : '.'}${isRepeatableFieldName(segment) ? segment : '?'}`;
  }
  return out === '' ? 'event' : out;
}

/**
 * Every problem found, in document order. Iterative, so a deeply nested
 * body (256 KiB of brackets) cannot overflow the stack.
 */
export function scanStrings(envelope: Readonly<Record<string, unknown>>): StringFinding[] {
  const findings: StringFinding[] = [];
  const pending: Array<{ value: unknown; path: PathNode | undefined; inData: boolean; mayHoldIdNumber: boolean }> = [
    { value: envelope, path: undefined, inData: false, mayHoldIdNumber: false },
  ];
  // Paths are formatted only for a finding, so a clean deep body costs linear time.
  const at = (path: PathNode | undefined): string => formatFieldPath(segmentsOf(path));
  while (pending.length > 0) {
    const { value, path, inData, mayHoldIdNumber } = pending.pop()!;
    if (typeof value === 'string') {
      const encoding = encodingProblem(value);
      if (encoding !== undefined) findings.push({ kind: 'encoding', inData, detail: `${at(path)}: ${encoding}` });
      if (!mayHoldIdNumber && containsResidentId(value)) {
        findings.push({ kind: 'residentId', inData, detail: `${at(path)}: must not contain a resident ID number (only idNumber fields may)` });
      }
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], path: { parent: path, segment: i }, inData, mayHoldIdNumber: false });
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      for (const [key] of entries) {
        const keyInData = inData || (path === undefined && key === 'data');
        const encoding = encodingProblem(key);
        if (encoding !== undefined) findings.push({ kind: 'encoding', inData: keyInData, detail: `${at(path)}: a field name ${encoding}` });
        if (containsResidentId(key)) findings.push({ kind: 'residentId', inData: keyInData, detail: `${at(path)}: a field name contains a resident ID number` });
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const childInData = inData || (path === undefined && key === 'data');
        pending.push({ value: child, path: { parent: path, segment: key }, inData: childInData, mayHoldIdNumber: inData && idNumberFieldNames.has(key) });
      }
    }
  }
  return findings;
}
