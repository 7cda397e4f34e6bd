/**
 * EVENTS.md "Identifiers and values": no field but the ID-number fields may
 * carry a resident ID number, free text needs a visible character and no
 * invisible controls, and text that was not valid UTF-8 is refused. Every
 * rejection names the field and never repeats the value.
 */
import { describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import type { ValidationResult } from '../../packages/contract/index.ts';
import { containsResidentId, freeTextProblem, validateEvent } from '../../packages/contract/index.ts';
import { residentIdFor, sampleEvent, sampleNow } from '../../packages/contract/fixtures.ts';
import { eventsCarrying } from '../support/smuggled-id-numbers.ts';

const tree = new DivisionTree(defaultDeploymentConfig.root);
const options = { now: sampleNow(), sources: defaultDeploymentConfig.sources, isDivision: (code: string) => tree.has(code) };
const validate = (body: unknown): ValidationResult => validateEvent(body, options);
const idNumber = residentIdFor(4711);
const idWithX = Array.from({ length: 200 }, (_, n) => residentIdFor(n)).find((id) => id.endsWith('X'))!;

function rejected(result: ValidationResult) {
  if (result.ok) throw new Error('expected a rejection');
  return result;
}

const smuggled = eventsCarrying(idNumber).map(({ type, field, event }) => [type, field, event] as const);

describe('an ID number outside the ID-number fields', () => {
  it('covers every string field of every type, free text included', () => {
    const fields = new Set(smuggled.map(([, field]) => field));
    for (const field of ['data.name', 'data.certificateNo', 'data.caseNo', 'data.awardName', 'data.reason', 'data.activity', 'data.contractNo', 'data.orgCodes[0]']) {
      expect(fields, field).toContain(field);
    }
    expect(smuggled.length).toBeGreaterThan(60);
  });

  it.each(smuggled)('%s %s: rejected invalid_data naming the field, never repeating the number', (_type, field) => {
    for (const text of [idNumber, `证书 NO.${idNumber}/2026`, `${idWithX.slice(0, 17)}x`]) {
      const carrier = eventsCarrying(text).find((e) => e.field === field && e.type === _type)!;
      const result = rejected(validate(carrier.event));
      expect(result.reason).toBe('invalid_data');
      expect(result.detail).toBe(`${field}: must not contain a resident ID number (only idNumber fields may)`);
      expect(JSON.stringify(result)).not.toContain(text.slice(0, 17));
    }
  });

  it.each([
    ['id', { id: `evt-${idNumber}` }],
    ['type', { type: idNumber }],
    ['source', { source: `hrss${idNumber}` }],
    ['time', { time: idNumber }],
    ['datacontenttype', { datacontenttype: idNumber }],
  ])('in the envelope %s: rejected invalid_data naming the field, and nothing failed is reported back', (field, overrides) => {
    const result = rejected(validate(sampleEvent('certificate.submitted.v1', overrides)));
    expect(result.reason).toBe('invalid_data');
    expect(result.detail).toBe(`${field}: must not contain a resident ID number (only idNumber fields may)`);
    expect(JSON.stringify(result)).not.toContain(idNumber.slice(0, 17));
    if (field === 'id' || field === 'source') expect(result.key).toBeUndefined();
    if (field === 'id') expect(result.source).toBe('hrss.zhongxian');
    if (field === 'type') expect(result.type).toBeUndefined();
  });

  it('is found embedded in longer text, in full-width digits, with a lower-case x, and inside a longer digit run', () => {
    expect(containsResidentId(`abc${idNumber}def`)).toBe(true);
    expect(containsResidentId(`9${idNumber}9`)).toBe(true);
    expect(containsResidentId(idWithX.toLowerCase())).toBe(true);
    expect(containsResidentId(`${idWithX.slice(0, 17)}x-tail`)).toBe(true);
    const fullWidth = [...idNumber].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    expect(containsResidentId(fullWidth)).toBe(true);
    expect(rejected(validate(sampleEvent('party.post.designated.v1', { data: { name: `岗${fullWidth}` } }))).detail).toMatch(/^data\.name: must not contain a resident ID number/);
  });

  it('leaves alone digit runs that fail the check, and 17-digit runs', () => {
    const wrongCheck = `${idNumber.slice(0, 17)}${idNumber.endsWith('0') ? '1' : '0'}`;
    expect(containsResidentId(wrongCheck)).toBe(false);
    expect(containsResidentId(idNumber.slice(0, 17))).toBe(false);
    expect(containsResidentId(`${idNumber.slice(0, 10)} ${idNumber.slice(10)}`)).toBe(false);
    expect(validate(sampleEvent('certificate.revoked.v1', { data: { reason: `case ${wrongCheck}` } })).ok).toBe(true);
  });

  it('is still allowed, and required, in the ID-number fields', () => {
    expect(validate(sampleEvent('party.member.developed.v1', { data: { idNumber } })).ok).toBe(true);
    expect(validate(sampleEvent('certificate.submitted.v1', { data: { holder: { idNumber: idWithX.toLowerCase(), frontline: true } } })).ok).toBe(true);
  });
});

describe('free text', () => {
  it.each([
    ['right-to-left override', '\u202e'],
    ['zero-width space', '\u200b\u200b'],
    ['byte order mark', '\ufeff'],
    ['line separator', '\u2028'],
    ['paragraph separator', '\u2029'],
    ['Hangul filler', '\u3164'],
    ['blank Braille pattern', '\u2800'],
    ['ideographic space', '\u3000'],
    ['combining mark alone', '\u0301'],
    ['variation selector', '\ufe0f'],
  ])('a name made only of a %s is rejected', (_what, name) => {
    const result = rejected(validate(sampleEvent('organization.registered.v1', { data: { name } })));
    expect(result.reason).toBe('invalid_data');
    expect(result.detail).toMatch(/^data\.name: must (contain a visible character|not contain control, format or separator characters)/);
  });

  it.each([
    ['a right-to-left override', '张\u202e三'],
    ['a zero-width joiner', 'a\u200db'],
    ['a C1 control', 'a\u0085b'],
    ['a tab', 'a\tb'],
    ['a noncharacter', 'a\uffffb'],
  ])('visible text with %s is rejected', (_what, name) => {
    expect(freeTextProblem(name)).toMatch(/^must not contain control, format or separator characters/);
  });

  it.each([['张三'], ['Zhang San'], ['阿依古丽·买买提'], ['O\u2019Brien'], ['\ue000'], ['e\u0301']])('%s is accepted', (name) => {
    expect(freeTextProblem(name)).toBeUndefined();
    expect(validate(sampleEvent('organization.registered.v1', { data: { name } })).ok).toBe(true);
  });
});

describe('text that was not valid UTF-8', () => {
  it('a replacement character in free text is rejected with the reason', () => {
    const result = rejected(validate(JSON.stringify(sampleEvent('certificate.revoked.v1', { data: { reason: 'wrong \ufffd\ufffd' } }))));
    expect(result).toMatchObject({
      reason: 'invalid_data',
      detail: 'data.reason: contains U+FFFD, the replacement character: the text was not valid UTF-8 when it was decoded',
    });
  });

  it('an unpaired surrogate (a JSON escape) is rejected', () => {
    const body = JSON.stringify(sampleEvent('outreach.conducted.v1', { data: { activity: 'x' } })).replace('"activity":"x"', '"activity":"x\\ud800"');
    expect(rejected(validate(body))).toMatchObject({ reason: 'invalid_data', detail: 'data.activity: contains an unpaired surrogate: not valid Unicode' });
  });

  it('in the envelope it is invalid_envelope', () => {
    const result = rejected(validate(sampleEvent('outreach.conducted.v1', { id: 'evt-\ufffd' })));
    expect(result.reason).toBe('invalid_envelope');
    expect(result.detail).toMatch(/^id: contains U\+FFFD/);
    expect(result.key).toBeUndefined();
  });

  it('a deeply nested body is scanned without overflowing the stack', () => {
    const deep = `{"specversion":"1.0","id":"d","source":"hrss.zhongxian","type":"outreach.conducted.v1","time":"2026-01-01T00:00:00Z","data":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
    expect(rejected(validate(deep)).reason).toBe('invalid_envelope');
  });
});
