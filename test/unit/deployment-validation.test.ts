import { describe, expect, it } from 'vitest';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { validateEvent, validationOptionsFor } from '../../packages/contract/index.ts';
import { sampleEvent, sampleNow } from '../../packages/contract/fixtures.ts';

const divisions = new DivisionTree(defaultDeploymentConfig.root);
const options = validationOptionsFor({ divisions, sources: defaultDeploymentConfig.sources }, sampleNow());

describe('validationOptionsFor: one validation for both doors', () => {
  it('refuses an organisation registered at the county root as invalid_data', () => {
    const event = sampleEvent('organization.registered.v1');
    (event.data as Record<string, unknown>)['division'] = divisions.rootCode;
    expect(validateEvent(event, options)).toMatchObject({ ok: false, reason: 'invalid_data', detail: expect.stringContaining('data.division') });
  });

  it('accepts an organisation registered in a township, and a baseline at the root', () => {
    expect(validateEvent(sampleEvent('organization.registered.v1'), options).ok).toBe(true);
    const baseline = sampleEvent('baseline.recorded.v1');
    (baseline.data as Record<string, unknown>)['division'] = divisions.rootCode;
    expect(validateEvent(baseline, options).ok).toBe(true);
  });

  it('refuses a division outside the tree for any type that names one', () => {
    const baseline = sampleEvent('baseline.recorded.v1');
    (baseline.data as Record<string, unknown>)['division'] = '110101000000';
    expect(validateEvent(baseline, options)).toMatchObject({ ok: false, reason: 'invalid_data' });
  });
});
