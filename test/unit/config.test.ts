import { describe, expect, it } from 'vitest';
import { ConfigError, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { apiSettings, processorSettings } from '../../packages/config/environment.ts';

const tables = { LEDGER_TABLE: 'l', STATE_TABLE: 's', COUNTERS_TABLE: 'c', PUBLICATIONS_TABLE: 'p', TARGETS_TABLE: 't' };

describe('environment values, parsed at load', () => {
  it.each([['0'], ['-1'], ['three'], ['1.5'], ['3e0']])('refuses UNKNOWN_ORG_MAX_ATTEMPTS=%s, naming the variable', (value) => {
    expect(() => processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: value })).toThrow(/UNKNOWN_ORG_MAX_ATTEMPTS must be a positive integer/);
  });

  it('refuses an UNKNOWN_ORG_MAX_ATTEMPTS that would let such events reach the dead-letter queue', () => {
    expect(() => processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: '5' })).toThrow(/UNKNOWN_ORG_MAX_ATTEMPTS must be below/);
  });

  it('reads UNKNOWN_ORG_MAX_ATTEMPTS, or the default when unset', () => {
    expect(processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: '2' })).toEqual({ unknownOrgMaxAttempts: 2 });
    expect(processorSettings({})).toEqual({ unknownOrgMaxAttempts: 3 });
  });

  it('names the first missing or malformed API variable', () => {
    expect(() => apiSettings({})).toThrow(/LEDGER_TABLE is not set/);
    expect(() => apiSettings({ ...tables })).toThrow(/EVENTS_QUEUE_URL is not set/);
    expect(() => apiSettings({ ...tables, EVENTS_QUEUE_URL: 'not a url' })).toThrow(/EVENTS_QUEUE_URL must be an http\(s\) URL/);
    expect(() => apiSettings({ ...tables, EVENTS_QUEUE_URL: 'http://q', MAINTENANCE_MODE: 'inprocess' })).toThrow(/MAINTENANCE_MODE must be in-process or unset/);
    expect(apiSettings({ ...tables, EVENTS_QUEUE_URL: 'http://q', MAINTENANCE_MODE: 'in-process' })).toEqual({
      tables: { ledger: 'l', state: 's', counters: 'c', publications: 'p', targets: 't' },
      queueUrl: 'http://q',
      maintenance: { kind: 'in-process' },
    });
  });
});

describe('DEPLOYMENT_CONFIG, parsed at load', () => {
  const root = { code: '500233000000', name: { zh: '忠县', en: 'Zhong' }, children: [{ code: '500233001000', name: { zh: '忠州', en: 'Zhongzhou' } }] };

  it.each([
    ['bad JSON', '{', /DEPLOYMENT_CONFIG is not valid JSON/],
    ['no sources', JSON.stringify({ root }), /DEPLOYMENT_CONFIG\.sources/],
    ['a malformed division code', JSON.stringify({ root: { ...root, children: [{ code: '5002', name: root.name }] }, sources: {} }), /DEPLOYMENT_CONFIG\.root\.children\[0\]\.code/],
    ['a source allowing a non-list', JSON.stringify({ root, sources: { 'hrss.zhongxian': 'certificate.submitted.v1' } }), /DEPLOYMENT_CONFIG\.sources: an object of event type lists/],
  ])('refuses %s, naming the field', (_, raw, message) => {
    expect(() => loadDeploymentConfig({ DEPLOYMENT_CONFIG: raw })).toThrow(ConfigError);
    expect(() => loadDeploymentConfig({ DEPLOYMENT_CONFIG: raw })).toThrow(message);
  });

  it('reads a valid configuration with default rewards and claim names', () => {
    const config = loadDeploymentConfig({ DEPLOYMENT_CONFIG: JSON.stringify({ root, sources: { 'hrss.zhongxian': ['certificate.submitted.v1'] } }) });
    expect(config.root.children?.[0]?.code).toBe('500233001000');
    expect(config.claims).toEqual({ role: 'role', division: 'division', source: 'source' });
    expect(config.rewards.skill['level1']).toBe(6000);
  });
});
