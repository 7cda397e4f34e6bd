/**
 * A rejection record keeps only values that passed validation; whatever
 * failed is kept as a keyed hash.
 */
import { describe, expect, it } from 'vitest';
import { defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import type { ValidationResult } from '../../packages/contract/index.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { residentIdFor, sampleEvent, sampleNow } from '../../packages/contract/fixtures.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';
import type { FailedValidation } from '../../packages/processing/rejection-record.ts';
import { rejectionRecord, unidentifiedSource } from '../../packages/processing/rejection-record.ts';

const pseudonymiser = new Pseudonymiser('k'.repeat(40));
const otherKey = new Pseudonymiser('j'.repeat(40));
const idNumber = residentIdFor(31);
const times = { receivedAt: '2026-11-01T00:00:00.000Z', processedAt: '2026-11-01T00:00:01.000Z' };

function failed(body: unknown): FailedValidation {
  const result: ValidationResult = validateEvent(body, { now: sampleNow(), sources: defaultDeploymentConfig.sources });
  if (result.ok) throw new Error('expected a rejection');
  return result;
}

function recordFor(body: unknown, messageId?: string) {
  return rejectionRecord({ validation: failed(body), body, pseudonymiser, ...(messageId === undefined ? {} : { messageId }), ...times });
}

describe('rejectionRecord', () => {
  it('keeps source, id and type when they passed', () => {
    const body = JSON.stringify(sampleEvent('certificate.revoked.v1', { data: { reason: '' } }));
    expect(recordFor(body)).toEqual({
      source: 'hrss.zhongxian',
      id: 'sample-certificate.revoked-0001',
      type: 'certificate.revoked.v1',
      reason: 'invalid_data',
      detail: expect.stringMatching(/^data\.reason: /),
      contentHash: pseudonymiser.contentHash(body),
      ...times,
    });
  });

  it('stores an unknown type as a keyed hash, not as text', () => {
    const body = JSON.stringify(sampleEvent('certificate.revoked.v1', { type: 'certificate.laminated.v1' }));
    const record = recordFor(body);
    expect(record).toMatchObject({ source: 'hrss.zhongxian', id: 'sample-certificate.revoked-0001', reason: 'unknown_type' });
    expect(record.type).toBeUndefined();
    expect(record.failedValues).toEqual({ type: pseudonymiser.failedValueHash('type', 'certificate.laminated.v1') });
    expect(record.failedValues?.['type']).toMatch(/^h_[A-Za-z0-9_-]{22}$/);
    expect(record.failedValues?.['type']).not.toBe(otherKey.failedValueHash('type', 'certificate.laminated.v1'));
    expect(JSON.stringify(record)).not.toContain('laminated');
  });

  it('records an ID number sent as the type or the id under keyed hashes only', () => {
    for (const overrides of [{ type: idNumber }, { id: `e-${idNumber}` }, { source: `a${idNumber}` }]) {
      const body = JSON.stringify(sampleEvent('certificate.revoked.v1', overrides));
      const record = recordFor(body, 'message-1');
      expect(record.reason).toBe('invalid_data');
      expect(JSON.stringify(record)).not.toContain(idNumber.slice(0, 17));
    }
    const badId = recordFor(JSON.stringify(sampleEvent('certificate.revoked.v1', { id: `e-${idNumber}` })));
    expect(badId.source).toBe('hrss.zhongxian');
    expect(badId.id).toBe(pseudonymiser.failedValueHash('id', `e-${idNumber}`));
    expect(badId.type).toBe('certificate.revoked.v1');
    const badSource = recordFor(JSON.stringify(sampleEvent('certificate.revoked.v1', { source: `a${idNumber}` })));
    expect(badSource.source).toBe(unidentifiedSource);
    expect(badSource.id).toBe('sample-certificate.revoked-0001');
    expect(Object.keys(badSource.failedValues ?? {})).toEqual(['source']);
  });

  it('puts a body that is not JSON under the message id, or the content hash without one', () => {
    expect(recordFor('{"oops', 'message-7')).toMatchObject({ source: unidentifiedSource, id: 'message-7', reason: 'invalid_envelope' });
    expect(recordFor('{"oops').id).toBe(`h_${pseudonymiser.contentHash('{"oops')}`);
  });

  it('takes an already parsed body (an element of a POST array) the same way', () => {
    const element = sampleEvent('certificate.revoked.v1', { id: `e-${idNumber}` });
    expect(recordFor(element).id).toBe(pseudonymiser.failedValueHash('id', `e-${idNumber}`));
  });
});
