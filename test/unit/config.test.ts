import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDeploymentConfig, loadDeploymentConfig } from '../../packages/config/deployment.ts';
import { rewardYuan } from '../../packages/config/deployment.ts';
import { apiSettings, processorSettings } from '../../packages/config/environment.ts';
import { eventsQueue } from '../../packages/config/resources.ts';

const tables = { LEDGER_TABLE: 'l', STATE_TABLE: 's', COUNTERS_TABLE: 'c', PUBLICATIONS_TABLE: 'p', TARGETS_TABLE: 't' };

describe('environment values, parsed at load', () => {
  it.each([['0'], ['-1'], ['three'], ['1.5'], ['3e0']])('refuses UNKNOWN_ORG_MAX_ATTEMPTS=%s, naming the variable', (value) => {
    expect(() => processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: value })).toThrow(/UNKNOWN_ORG_MAX_ATTEMPTS must be a positive integer/);
  });

  it('refuses an UNKNOWN_ORG_MAX_ATTEMPTS the queue would never let an event reach', () => {
    const last = eventsQueue.maxReceiveCount;
    expect(() => processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: String(last) })).toThrow(/UNKNOWN_ORG_MAX_ATTEMPTS must be below the queue's maxReceiveCount \(15\)/);
    expect(processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: String(last - 1) })).toEqual({ unknownOrgMaxAttempts: last - 1, lastDelivery: last });
    expect(() => processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: '3', EVENTS_MAX_RECEIVE_COUNT: '3' })).toThrow(/must be below the queue's maxReceiveCount \(3\)/);
  });

  it('reads UNKNOWN_ORG_MAX_ATTEMPTS and EVENTS_MAX_RECEIVE_COUNT, or the defaults (the deployed queue) when unset', () => {
    expect(processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: '2' })).toEqual({ unknownOrgMaxAttempts: 2, lastDelivery: eventsQueue.maxReceiveCount });
    expect(processorSettings({})).toEqual({ unknownOrgMaxAttempts: 3, lastDelivery: 15 });
    expect(processorSettings({ UNKNOWN_ORG_MAX_ATTEMPTS: '1', EVENTS_MAX_RECEIVE_COUNT: '2' })).toEqual({ unknownOrgMaxAttempts: 1, lastDelivery: 2 });
    expect(() => processorSettings({ EVENTS_MAX_RECEIVE_COUNT: 'ten' })).toThrow(/EVENTS_MAX_RECEIVE_COUNT must be a positive integer/);
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
    ['a root that is no division', JSON.stringify({ root: '500233000000' }), /DEPLOYMENT_CONFIG\.root/],
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
    expect(rewardYuan(config.rewards, 'skill', 'level1', '2026-05-01')).toBe(6000);
  });

  it('keeps the built-in division tree, allowlist and claim names for every field left out', () => {
    const config = loadDeploymentConfig({ DEPLOYMENT_CONFIG: JSON.stringify({ rewards: [{ skill: { level1: 1 }, degree: {} }] }) });
    expect(config.root).toEqual(defaultDeploymentConfig.root);
    expect(config.sources).toEqual(defaultDeploymentConfig.sources);
    expect(config.claims).toEqual(defaultDeploymentConfig.claims);
    expect(rewardYuan(config.rewards, 'skill', 'level1', '2026-01-01')).toBe(1);
  });

  it('reads one reward policy as in effect on every date, and dated policies each from its day', () => {
    const amounts = (level1: number) => ({ skill: { level1 }, degree: { bachelor: level1 / 2 } });
    const one = loadDeploymentConfig({ DEPLOYMENT_CONFIG: JSON.stringify({ root, sources: {}, rewards: amounts(6000) }) });
    expect(['1990-01-01', '2026-05-01', '2040-12-31'].map((d) => rewardYuan(one.rewards, 'skill', 'level1', d))).toEqual([6000, 6000, 6000]);
    const dated = loadDeploymentConfig({ DEPLOYMENT_CONFIG: JSON.stringify({ root, sources: {}, rewards: [amounts(6000), { from: '2027-01-01', ...amounts(8000) }] }) });
    expect(['2026-12-31', '2027-01-01', '2030-06-30'].map((d) => rewardYuan(dated.rewards, 'skill', 'level1', d))).toEqual([6000, 8000, 8000]);
    expect(rewardYuan(dated.rewards, 'degree', 'bachelor', '2027-03-01')).toBe(4000);
    expect(rewardYuan(dated.rewards, 'skill', 'level5', '2027-03-01')).toBe(0);
    const later = loadDeploymentConfig({ DEPLOYMENT_CONFIG: JSON.stringify({ root, sources: {}, rewards: [{ from: '2026-07-01', ...amounts(6000) }] }) });
    expect(rewardYuan(later.rewards, 'skill', 'level1', '2026-06-30')).toBe(0);
  });

  it.each([
    ['dated policies out of order', [{ skill: {}, degree: {} }, { from: '2027-01-01', skill: {}, degree: {} }, { from: '2026-01-01', skill: {}, degree: {} }], /DEPLOYMENT_CONFIG\.rewards/],
    ['a later policy without its date', [{ skill: {}, degree: {} }, { skill: {}, degree: {} }], /DEPLOYMENT_CONFIG\.rewards/],
    ['no policy at all', [], /DEPLOYMENT_CONFIG\.rewards/],
    ['a malformed date', [{ from: '2027-13-01', skill: {}, degree: {} }], /DEPLOYMENT_CONFIG\.rewards/],
  ])('refuses %s', (_, rewards, message) => {
    expect(() => loadDeploymentConfig({ DEPLOYMENT_CONFIG: JSON.stringify({ root, sources: {}, rewards }) })).toThrow(message);
  });
});
