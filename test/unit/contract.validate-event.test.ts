import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import type { EventType, ValidationResult } from '../../packages/contract/index.ts';
import { eventTypes, idNumberPaths, validateEvent } from '../../packages/contract/index.ts';
import { residentIdFor, sampleEvent, sampleNow, usccFor } from '../../packages/contract/fixtures.ts';
import type { SampleOverrides } from '../../packages/contract/fixtures.ts';

const tree = new DivisionTree(defaultDeploymentConfig.root);
const now = sampleNow();
const options = { now, sources: defaultDeploymentConfig.sources, isDivision: (code: string) => tree.has(code) };
const samplesDir = new URL('../../events/samples/', import.meta.url);

function validate(body: unknown, at: Date = now): ValidationResult {
  return validateEvent(body, { ...options, now: at });
}

function rejection(result: ValidationResult) {
  if (result.ok) throw new Error('expected a rejection, got an accepted event');
  return result;
}

function withData(type: EventType, data: SampleOverrides) {
  return sampleEvent(type, { data });
}

const badIdNumbers = ['110105194912310021', '11010519491231002Y', '11010519491231002', '440524188001010015'];

describe('samples', () => {
  it('has exactly one sample file per event type, equal to sampleEvent(type)', () => {
    const files = readdirSync(samplesDir).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual([...eventTypes].map((t) => `${t}.json`).sort());
    for (const type of eventTypes) {
      const fromFile: unknown = JSON.parse(readFileSync(new URL(`${type}.json`, samplesDir), 'utf8'));
      expect(fromFile).toEqual(sampleEvent(type));
    }
  });

  it.each([...eventTypes])('%s sample validates, from its file text', (type) => {
    const text = readFileSync(new URL(`${type}.json`, samplesDir), 'utf8');
    const result = validate(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.type).toBe(type);
    expect(result.event.data).toEqual(sampleEvent(type).data);
    expect(result.event.date).toMatch(/^2026-\d{2}-\d{2}$/);
  });

  it('covers all 26 contract types', () => {
    expect(eventTypes).toHaveLength(26);
    expect(eventTypes).toContain('baseline.recorded.v1');
  });
});

describe('accepted event', () => {
  it('keeps the envelope as sent and adds the Asia/Shanghai date', () => {
    const result = validate(sampleEvent('certificate.submitted.v1', { time: '2026-10-31T20:00:00Z' }));
    expect(result).toEqual({
      ok: true,
      event: {
        specversion: '1.0',
        id: 'sample-certificate.submitted-0001',
        source: 'hrss.zhongxian',
        type: 'certificate.submitted.v1',
        time: '2026-10-31T20:00:00Z',
        datacontenttype: 'application/json',
        date: '2026-11-01',
        data: sampleEvent('certificate.submitted.v1').data,
      },
    });
  });

  it('omits datacontenttype when the producer did', () => {
    const result = validate(sampleEvent('organization.deregistered.v1', { datacontenttype: undefined }));
    expect(result.ok && 'datacontenttype' in result.event).toBe(false);
    expect(result.ok).toBe(true);
  });
});

describe('rejection reasons', () => {
  it('invalid_envelope: body is not JSON, with no key', () => {
    expect(validate('{"specversion":"1.0",')).toEqual({ ok: false, reason: 'invalid_envelope', detail: 'body is not JSON' });
  });

  it.each([
    ['an array', [sampleEvent('organization.deregistered.v1')]],
    ['a number', 42],
    ['null', null],
    ['JSON text of a string', '"hello"'],
  ])('invalid_envelope: %s is not an event object', (_label, body) => {
    expect(rejection(validate(body))).toMatchObject({ reason: 'invalid_envelope', detail: 'event must be a JSON object' });
  });

  it('invalid_envelope: over 256 KiB, as text or as an object, with one byte to spare accepted', () => {
    const base = JSON.stringify(sampleEvent('outreach.conducted.v1', { data: { activity: '' } }));
    // '宣' is 3 UTF-8 bytes, so the limit is measured in bytes, not characters.
    const fill = (bytes: number) => '宣'.repeat(Math.floor(bytes / 3)) + 'a'.repeat(bytes % 3);
    const exactly = base.replace('"activity":""', `"activity":"${fill(256 * 1024 - Buffer.byteLength(base))}"`);
    expect(Buffer.byteLength(exactly)).toBe(256 * 1024);
    // Exactly at the limit passes the size check; the data check then refuses the 200+ character activity.
    expect(rejection(validate(exactly)).reason).toBe('invalid_data');
    const over = exactly.replace('"activity":"', '"activity":"a');
    expect(rejection(validate(over))).toMatchObject({ reason: 'invalid_envelope', detail: 'event is larger than 256 KiB' });
    expect(rejection(validate(JSON.parse(over)))).toMatchObject({ reason: 'invalid_envelope', detail: 'event is larger than 256 KiB' });
  });

  it('invalid_envelope: type missing or not a string, key still reported', () => {
    const missing = rejection(validate(sampleEvent('organization.deregistered.v1', { type: undefined })));
    expect(missing).toEqual({
      ok: false,
      reason: 'invalid_envelope',
      detail: 'type: required, a string',
      key: { source: 'market.zhongxian', id: 'sample-organization.deregistered-0001' },
      source: 'market.zhongxian',
      id: 'sample-organization.deregistered-0001',
    });
    expect(rejection(validate(sampleEvent('organization.deregistered.v1', { type: 7 }))).reason).toBe('invalid_envelope');
  });

  it('unknown_type: a string that is no contract type, reported with key but without the type text', () => {
    const result = rejection(validate(sampleEvent('organization.deregistered.v1', { type: 'organization.renamed.v1' })));
    expect(result).toEqual({
      ok: false,
      reason: 'unknown_type',
      detail: 'type: not an event type of this contract',
      key: { source: 'market.zhongxian', id: 'sample-organization.deregistered-0001' },
      source: 'market.zhongxian',
      id: 'sample-organization.deregistered-0001',
    });
  });

  it('unknown_type wins over other envelope faults (check order)', () => {
    const result = rejection(validate(sampleEvent('organization.deregistered.v1', { type: 'x.v9', specversion: '0.3', extra: 1 })));
    expect(result.reason).toBe('unknown_type');
  });

  it('invalid_envelope: unknown envelope field, naming it', () => {
    const result = rejection(validate(sampleEvent('organization.deregistered.v1', { subject: 'org' })));
    expect(result.reason).toBe('invalid_envelope');
    expect(result.detail).toBe('unknown envelope field(s): subject');
    expect(result.type).toBe('organization.deregistered.v1');
  });

  it.each([
    ['specversion 0.3', { specversion: '0.3' }, 'specversion: must be "1.0"'],
    ['specversion as a number', { specversion: 1 }, 'specversion: must be "1.0"'],
    ['empty id', { id: '' }, 'id: must be 1–128 printable ASCII characters'],
    ['id of 129 characters', { id: 'a'.repeat(129) }, 'id: must be 1–128 printable ASCII characters'],
    ['id with a tab', { id: 'a\tb' }, 'id: must be 1–128 printable ASCII characters'],
    ['id with non-ASCII', { id: '事件1' }, 'id: must be 1–128 printable ASCII characters'],
    ['source with capitals', { source: 'HRSS.zhongxian' }, 'source: must match ^[a-z][a-z0-9.-]{1,63}$'],
    ['source of one character', { source: 'h' }, 'source: must match ^[a-z][a-z0-9.-]{1,63}$'],
    ['datacontenttype text/plain', { datacontenttype: 'text/plain' }, 'datacontenttype: must be "application/json" when present'],
    ['data an array', { data: [] }, 'data: must be an object'],
    ['data missing', { data: undefined }, 'data: must be an object'],
  ])('invalid_envelope: %s', (_label, overrides, detail) => {
    const result = rejection(validate(sampleEvent('certificate.revoked.v1', overrides)));
    expect(result.reason).toBe('invalid_envelope');
    expect(result.detail).toBe(detail);
  });

  it('accepts an id of exactly 128 printable characters', () => {
    expect(validate(sampleEvent('certificate.revoked.v1', { id: ' ~'.repeat(64) })).ok).toBe(true);
  });

  it('reports no key when id or source is malformed, but still the type', () => {
    const result = rejection(validate(sampleEvent('certificate.revoked.v1', { id: '' })));
    expect(result.key).toBeUndefined();
    expect(result.type).toBe('certificate.revoked.v1');
  });

  it('forbidden_type: source not registered', () => {
    const result = rejection(validate(sampleEvent('certificate.revoked.v1', { source: 'tax.zhongxian' })));
    expect(result).toMatchObject({ reason: 'forbidden_type', detail: 'source: not a registered producer', key: { source: 'tax.zhongxian' } });
  });

  it('forbidden_type: a source named like an Object.prototype member is not registered', () => {
    expect(rejection(validate(sampleEvent('certificate.revoked.v1', { source: 'constructor' }))).reason).toBe('forbidden_type');
  });

  it('forbidden_type: registered source, type not on its list', () => {
    const result = rejection(validate(sampleEvent('certificate.submitted.v1', { source: 'union.zhongxian' })));
    expect(result).toMatchObject({ reason: 'forbidden_type', type: 'certificate.submitted.v1' });
  });

  it('forbidden_type is decided before the data is looked at', () => {
    const result = rejection(validate(sampleEvent('certificate.submitted.v1', { source: 'court.zhongxian', data: { kind: 'nonsense' } })));
    expect(result.reason).toBe('forbidden_type');
  });

  it('invalid_data: unknown data field, top level and nested', () => {
    const top = rejection(validate(withData('certificate.submitted.v1', { remarks: 'x' })));
    expect(top).toMatchObject({ reason: 'invalid_data', detail: 'data: unknown field(s) remarks' });
    const nested = rejection(validate(withData('certificate.submitted.v1', { holder: { name: 'x' } })));
    expect(nested).toMatchObject({ reason: 'invalid_data', detail: 'data.holder: unknown field(s) name' });
  });

  it('invalid_data: missing required field and wrong type', () => {
    const result = rejection(validate(withData('union.established.v1', { members: undefined, establishedOn: 20260320 })));
    expect(result.detail).toBe('data.establishedOn: must be a string; data.members: required');
  });

  it('invalid_data: a division outside the deployment tree', () => {
    const result = rejection(validate(withData('organization.registered.v1', { division: '500101001000' })));
    expect(result).toMatchObject({ reason: 'invalid_data', detail: 'data.division: not a division of this deployment' });
    // Without a tree only the 12-digit shape is checked.
    expect(validateEvent(withData('organization.registered.v1', { division: '500101001000' }), { now, sources: options.sources }).ok).toBe(true);
  });
});

describe('time rules', () => {
  const at = (time: string, clock: Date = now) => validate(sampleEvent('certificate.revoked.v1', { time }), clock);

  it('requires an offset', () => {
    const result = rejection(at('2026-11-20T10:00:00'));
    expect(result).toMatchObject({ reason: 'invalid_envelope', detail: 'time: must be an RFC 3339 timestamp with an offset (Z or ±hh:mm) and a real date' });
    expect(at('2026-11-20T10:00:00Z').ok).toBe(true);
    expect(at('2026-11-20T10:00:00-03:30').ok).toBe(true);
  });

  it('refuses an impossible date', () => {
    expect(rejection(at('2026-02-29T10:00:00Z')).reason).toBe('invalid_envelope');
  });

  it('allows exactly 5 minutes into the future, not a millisecond more', () => {
    const clock = new Date('2026-11-24T04:00:00.000Z');
    expect(at('2026-11-24T04:05:00Z', clock).ok).toBe(true);
    expect(at('2026-11-24T12:05:00.000+08:00', clock).ok).toBe(true);
    expect(rejection(at('2026-11-24T04:05:00.001Z', clock)).detail).toBe('time: must not be more than 5 minutes in the future');
    expect(rejection(at('2026-11-24T04:05:00.0000001Z', clock)).reason).toBe('invalid_envelope');
  });

  it('allows 2000-01-01T00:00:00Z, not a moment earlier', () => {
    expect(at('2000-01-01T00:00:00Z').ok).toBe(true);
    expect(at('2000-01-01T08:00:00+08:00').ok).toBe(true);
    expect(rejection(at('1999-12-31T23:59:59.999Z')).detail).toBe('time: must not be before 2000-01-01T00:00:00Z');
    expect(rejection(at('2000-01-01T07:59:59+08:00')).reason).toBe('invalid_envelope');
  });

  it('dates an event by the Asia/Shanghai calendar', () => {
    const result = validate(sampleEvent('certificate.revoked.v1', { time: '2026-12-31T20:00:00Z' }), new Date('2027-01-01T00:00:00Z'));
    expect(result.ok && result.event.date).toBe('2027-01-01');
  });
});

describe('data rules', () => {
  const ok = (type: EventType, data: SampleOverrides) => validate(withData(type, data)).ok;
  const detail = (type: EventType, data: SampleOverrides) => rejection(validate(withData(type, data))).detail;

  it('money: 2 decimals pass, 3 decimals fail, float noise is tolerated', () => {
    expect(ok('hardship_aid.granted.v1', { amountYuan: 12.34 })).toBe(true);
    expect(ok('hardship_aid.granted.v1', { amountYuan: 0.1 + 0.2 })).toBe(true);
    expect(ok('hardship_aid.granted.v1', { amountYuan: 0 })).toBe(true);
    expect(detail('hardship_aid.granted.v1', { amountYuan: 12.345 })).toBe(
      'data.amountYuan: must be an amount ≥ 0 and ≤ 100000000000 yuan with at most 2 decimals',
    );
    expect(ok('hardship_aid.granted.v1', { amountYuan: -1 })).toBe(false);
    expect(detail('hardship_aid.granted.v1', { amountYuan: '12.34' })).toBe('data.amountYuan: must be a number');
    expect(ok('dispute.filed.v1', { claimedYuan: 100.456 })).toBe(false);
    expect(ok('dispute.filed.v1', { claimedYuan: undefined })).toBe(true);
  });

  it('money: the JSON text 0.30000000000000004 is accepted as 0.3 yuan', () => {
    const text = JSON.stringify(withData('hardship_aid.granted.v1', { amountYuan: 1 })).replace('"amountYuan":1', '"amountYuan":0.30000000000000004');
    const result = validate(text);
    expect(result.ok && (result.event.data as { amountYuan: number }).amountYuan).toBeCloseTo(0.3, 10);
  });

  it('ownership is required for enterprises and forbidden otherwise', () => {
    expect(detail('organization.registered.v1', { ownership: undefined })).toBe('data.ownership: required when kind is enterprise');
    expect(detail('organization.registered.v1', { kind: 'social_org' })).toBe('data.ownership: only allowed when kind is enterprise');
    expect(ok('organization.registered.v1', { kind: 'social_org', ownership: undefined })).toBe(true);
    expect(ok('organization.registered.v1', { ownership: 'private' })).toBe(false);
  });

  it('contract topic is required iff kind is special', () => {
    expect(detail('contract.signed.v1', { topic: undefined })).toBe('data.topic: required when kind is special');
    expect(detail('contract.signed.v1', { kind: 'collective' })).toBe('data.topic: only allowed when kind is special');
    expect(ok('contract.signed.v1', { kind: 'collective', topic: undefined })).toBe(true);
  });

  it('contract orgCodes: non-empty, valid, distinct', () => {
    expect(detail('contract.signed.v1', { orgCodes: [] })).toBe('data.orgCodes: must have at least 1 item(s)');
    expect(detail('contract.signed.v1', { orgCodes: [usccFor(1), usccFor(2), usccFor(1)] })).toBe('data.orgCodes[2]: repeats an earlier organisation');
    expect(detail('contract.signed.v1', { orgCodes: [usccFor(1), '91350100M000100Y44'] })).toBe(
      'data.orgCodes[1]: not a valid unified social credit code: invalid check character',
    );
    expect(ok('contract.signed.v1', { orgCodes: [usccFor(1), usccFor(2)] })).toBe(true);
  });

  it('certificate level must belong to its kind', () => {
    expect(detail('certificate.submitted.v1', { level: 'bachelor' })).toBe('data.level: must be one of level1, level2, level3, level4, level5 when kind is skill');
    expect(detail('certificate.submitted.v1', { kind: 'degree' })).toBe('data.level: must be one of associate, bachelor, master, doctor when kind is degree');
    expect(ok('certificate.submitted.v1', { kind: 'degree', level: 'doctor' })).toBe(true);
    expect(ok('certificate.submitted.v1', { level: 'level6' })).toBe(false);
  });

  it('integers: minimums, fractions, talent title years', () => {
    expect(detail('union.established.v1', { members: 0 })).toBe('data.members: must be ≥ 1');
    expect(detail('union.established.v1', { members: 2.5 })).toBe('data.members: must be an integer');
    expect(ok('organization.registered.v1', { workers: 0 })).toBe(true);
    expect(ok('organization.registered.v1', { workers: -1 })).toBe(false);
    expect(ok('competition.entry.recorded.v1', { placement: 0 })).toBe(false);
    expect(ok('talent.title.awarded.v1', { year: 2000 })).toBe(true);
    expect(ok('talent.title.awarded.v1', { year: 2100 })).toBe(true);
    expect(detail('talent.title.awarded.v1', { year: 1999 })).toBe('data.year: must be ≥ 2000');
    expect(detail('talent.title.awarded.v1', { year: 2101 })).toBe('data.year: must be ≤ 2100');
    expect(ok('outreach.conducted.v1', { booklets: 0, enterprisesServed: 0, workersReached: 0 })).toBe(true);
  });

  it('dates are real YYYY-MM-DD dates', () => {
    expect(detail('union.established.v1', { establishedOn: '2026-02-30' })).toBe(
      'data.establishedOn: must be a real date written YYYY-MM-DD, years 1900–2100',
    );
    expect(ok('union.established.v1', { establishedOn: '2026-3-20' })).toBe(false);
    expect(ok('union.established.v1', { establishedOn: '2024-02-29' })).toBe(true);
  });

  it('strings are non-blank, bounded and free of control characters', () => {
    const invisible = 'data.name: must contain a visible character (a letter, digit, punctuation mark or symbol)';
    const control = 'data.name: must not contain control, format or separator characters (such as U+0000–U+001F, U+202E, U+200B, U+FEFF, U+2028)';
    expect(detail('party.post.designated.v1', { name: '' })).toBe(invisible);
    expect(detail('party.post.designated.v1', { name: '   ' })).toBe(invisible);
    expect(detail('party.post.designated.v1', { name: 'a'.repeat(201) })).toBe('data.name: must be at most 200 character(s)');
    expect(detail('party.post.designated.v1', { name: 'a\u0000b' })).toBe(control);
    expect(ok('party.post.designated.v1', { name: '岗'.repeat(200) })).toBe(true);
    expect(ok('outreach.conducted.v1', { activity: '' })).toBe(false);
  });

  it('enumerations list their values, never the input', () => {
    expect(detail('studio.established.v1', { level: 'province' })).toBe('data.level: must be one of county, city');
  });

  it('division codes are 12 digits', () => {
    expect(detail('baseline.recorded.v1', { division: '500233' })).toBe('data.division: must be a 12-digit division code');
  });

  it('baseline metric must be a stock indicator id', () => {
    expect(ok('baseline.recorded.v1', { metric: 'training_bases' })).toBe(true);
    expect(ok('baseline.recorded.v1', { metric: 'disputes_filed' })).toBe(false);
    expect(ok('baseline.recorded.v1', { value: -1 })).toBe(false);
    expect(ok('baseline.recorded.v1', { asOf: '2025-13-01' })).toBe(false);
  });

  it('an apprentice cannot be their own mentor', () => {
    expect(detail('apprenticeship.paired.v1', { apprenticeIdNumber: residentIdFor(1) })).toBe(
      'data.apprenticeIdNumber: must be another person than the mentor',
    );
  });
});

describe('personal data stays out of rejection details', () => {
  const placements: [EventType, (id: string) => SampleOverrides][] = [
    ['certificate.submitted.v1', (id) => ({ holder: { idNumber: id } })],
    ['party.member.developed.v1', (id) => ({ idNumber: id })],
    ['apprenticeship.paired.v1', (id) => ({ mentorIdNumber: id })],
    ['hardship_aid.granted.v1', (id) => ({ idNumber: id })],
  ];

  it.each(badIdNumbers)('no detail repeats the bad ID number %s', (bad) => {
    for (const [type, place] of placements) {
      const result = rejection(validate(withData(type, place(bad))));
      expect(result.reason).toBe('invalid_data');
      expect(result.detail).toMatch(/IdNumber|idNumber/);
      expect(result.detail).not.toContain(bad);
      expect(result.detail).not.toContain(bad.slice(0, 17));
    }
  });

  it('an ID number used as an unknown field name is not repeated either', () => {
    const bad = '11010519491231002X';
    const data = rejection(validate(withData('hardship_aid.granted.v1', { [bad]: true })));
    expect(data).toMatchObject({ reason: 'invalid_data', detail: 'data: a field name contains a resident ID number' });
    const envelope = rejection(validate(sampleEvent('hardship_aid.granted.v1', { [bad]: true })));
    expect(envelope).toMatchObject({ reason: 'invalid_data', detail: 'event: a field name contains a resident ID number' });
    // A field name that is not an ID number is still named, or counted when it is not identifier-like.
    expect(rejection(validate(withData('hardship_aid.granted.v1', { 'a b': true }))).detail).toBe('data: unknown field(s) 1 unnamed field(s)');
  });

  it('a valid ID number in the wrong place (a name) is not repeated when the name is too long', () => {
    const id = residentIdFor(7);
    const result = rejection(validate(withData('award.granted.v1', { awardName: id.repeat(12) })));
    expect(result.detail).not.toContain(id);
  });
});

describe('idNumberPaths', () => {
  it('names every field that holds a resident ID number', () => {
    expect(idNumberPaths('certificate.submitted.v1')).toEqual([['holder', 'idNumber']]);
    expect(idNumberPaths('apprenticeship.paired.v1')).toEqual([['mentorIdNumber'], ['apprenticeIdNumber']]);
    expect(idNumberPaths('organization.registered.v1')).toEqual([]);
  });

  it.each([...eventTypes])('%s: the paths reach exactly the valid-looking ID numbers of its sample', (type) => {
    const data = sampleEvent(type).data as Record<string, unknown>;
    const reached = idNumberPaths(type).map((path) => path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], data));
    const allIds: string[] = [];
    JSON.stringify(data, (_k, v: unknown) => {
      if (typeof v === 'string' && /^\d{17}[\dXx]$/.test(v)) allIds.push(v);
      return v;
    });
    expect(reached.sort()).toEqual(allIds.sort());
  });
});
