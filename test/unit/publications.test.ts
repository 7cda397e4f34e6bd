/**
 * The pure parts of publications and targets: the canonical CSV and its
 * digest, reading an edition back, progress arithmetic, and the routes over
 * in-memory stores (who may publish, set and read what).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toJson } from '../../packages/api/http.ts';
import { withTargets } from '../../packages/api/target-routes.ts';
import { ExactNumber } from '../../packages/api/http.ts';
import { buildEdition, editionFigure, parseEditionPiece } from '../../packages/publications/edition.ts';
import { PublicationExistsError } from '../../packages/publications/errors.ts';
import { progressText } from '../../packages/publications/targets.ts';
import { DivisionTree } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { maintenanceLeaseMs } from '../../packages/config/resources.ts';
import { MaintenanceLeaseEndedError } from '../../packages/maintenance/errors.ts';
import { publishEdition } from '../../packages/maintenance/publish.ts';
import { InMemoryPublicationStore, InMemoryTargetStore, sampleEdition } from '../support/in-memory-publications.ts';

const county = '500233000000';
const zhongzhou = '500233001000';

describe('the canonical CSV of an edition', () => {
  const edition = buildEdition({ id: 'e1', period: '2026-Q3', title: 't', publishedAt: '2026-10-08T02:00:00.000Z', asOf: '2026-09-30' }, [
    {
      division: county,
      figures: [
        editionFigure({ indicator: 'party_org_coverage_non_public', value: 87.23, numerator: 87223, denominator: 99995 }, county, '2026-Q3'),
        editionFigure({ indicator: 'dispute_mediation_rate', value: null, numerator: 0, denominator: 0 }, county, '2026-Q3'),
        editionFigure({ indicator: 'dual_upgrade_rewards_yuan', value: -2000, exactValue: undefined as unknown as string }, county, '2026-Q3'),
        editionFigure({ indicator: 'legal_aid_recovered_yuan', value: 90071992547409.9, exactValue: '90071992547409.91' }, county, '2026-Q3'),
      ],
    },
    { division: zhongzhou, figures: [editionFigure({ indicator: 'skilled_workers', value: 114300 }, zhongzhou, '2026-Q3')] },
  ]);
  const bytes = Buffer.concat([edition.head, ...edition.pieces.map((p) => p.bytes)]);

  it('is UTF-8 with a BOM, CRLF lines, the six columns, exact values, and no formula-leading cell', () => {
    expect(bytes.toString('utf8')).toBe(
      '\uFEFFindicator,division,period,value,numerator,denominator\r\n' +
        `party_org_coverage_non_public,${county},2026-Q3,87.23,87223,99995\r\n` +
        `dispute_mediation_rate,${county},2026-Q3,,0,0\r\n` +
        // A negative number stays a number: only text cells starting with = + - @ are defused.
        `dual_upgrade_rewards_yuan,${county},2026-Q3,-2000,,\r\n` +
        `legal_aid_recovered_yuan,${county},2026-Q3,90071992547409.91,,\r\n` +
        `skilled_workers,${zhongzhou},2026-Q3,114300,,\r\n`,
    );
  });

  it('has a digest that is the SHA-256 of exactly those bytes, and counts its figures', () => {
    expect(edition.record.digest).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(edition.record.figures).toBe(5);
    expect(edition.record.bytes).toBe(bytes.length);
    expect(edition.record.divisions).toEqual([county, zhongzhou]);
  });

  it('reads back exactly what was frozen', () => {
    expect(parseEditionPiece(edition.pieces[0]?.bytes as Uint8Array)).toEqual([
      { indicator: 'party_org_coverage_non_public', division: county, period: '2026-Q3', value: '87.23', numerator: 87223, denominator: 99995 },
      { indicator: 'dispute_mediation_rate', division: county, period: '2026-Q3', value: null, numerator: 0, denominator: 0 },
      { indicator: 'dual_upgrade_rewards_yuan', division: county, period: '2026-Q3', value: '-2000' },
      { indicator: 'legal_aid_recovered_yuan', division: county, period: '2026-Q3', value: '90071992547409.91' },
    ]);
  });

  it('changes its digest when any figure changes', () => {
    const other = sampleEdition('x', '2026-Q3', (i) => String(100 + i + (i === 7 ? 1 : 0)));
    expect(other.record.digest).not.toBe(sampleEdition('x', '2026-Q3').record.digest);
  });
});

describe('publications are written once', () => {
  it('a second put under the same id fails, and the first stays', async () => {
    const store = new InMemoryPublicationStore();
    await store.put(sampleEdition('same', '2026-Q3'));
    await expect(store.put(sampleEdition('same', '2026-Q3', () => '1'))).rejects.toBeInstanceOf(PublicationExistsError);
    expect((await store.publication('same'))?.digest).toBe(sampleEdition('same', '2026-Q3').record.digest);
  });
});

describe('progress = value ÷ target, in percent, half-up to 2 decimals', () => {
  it.each([
    ['87', 90, '96.67'],
    ['90', 90, '100'],
    ['1', 800, '0.13'], // 0.125 rounds up
    ['1', 1600, '0.06'], // 0.0625 rounds down
    ['-1', 800, '-0.13'], // half away from zero
    ['87.23', 90, '96.92'],
    ['56850000', 60000000.5, '94.75'],
    ['0', 5, '0'],
  ])('%s of %s is %s %%', (value, target, expected) => {
    expect(progressText(value, target)).toBe(expected);
  });

  it('is null for a null value, and exact where a double is not', () => {
    expect(progressText(null, 10)).toBeNull();
    expect(progressText('90071992547409.91', 0.03)).toBe('300239975158033033.33');
  });

  it('puts target and progress on year rows of divisions with a target only, exact in JSON', async () => {
    const targets = new InMemoryTargetStore();
    await targets.set({ indicator: 'skilled_workers', division: county, period: '2026', value: 120000 });
    await targets.set({ indicator: 'legal_aid_recovered_yuan', division: county, period: '2026', value: 0.03 });
    const rows = await withTargets(
      [
        { indicator: 'skilled_workers', division: county, period: '2026', value: 114300 },
        { indicator: 'skilled_workers', division: county, period: '2026-Q4', value: 114300 },
        { indicator: 'skilled_workers', division: zhongzhou, period: '2026', value: 5 },
        { indicator: 'skilled_workers', orgCode: '91500233MA5U000013', period: '2026', value: 5 },
        { indicator: 'legal_aid_recovered_yuan', division: county, period: '2026', value: new ExactNumber('90071992547409.91') },
      ],
      targets,
    );
    expect(rows[0]).toMatchObject({ target: 120000, progress: 95.25 });
    for (const row of rows.slice(1, 4)) expect(row).not.toHaveProperty('target');
    expect(toJson(rows[4])).toContain('"progress":300239975158033033.33');
  });
});

describe('the publish action', () => {
  const divisions = new DivisionTree(zhongCounty);

  function recording(failEvaluation = false, leaseEnded = false) {
    const steps: string[] = [];
    const store = new InMemoryPublicationStore();
    const deps = {
      catalog: indicatorCatalog,
      divisions,
      fence: {
        pause: async () => void steps.push('pause'),
        resume: async () => void steps.push('resume'),
        assertLeaseHolds: () => {
          steps.push('lease');
          if (leaseEnded) throw new MaintenanceLeaseEndedError(maintenanceLeaseMs);
        },
      },
      computation: {
        evaluateAll: async (definitions: readonly { id: string }[], cells: readonly unknown[]) => {
          steps.push(`evaluate ${cells.length}`);
          if (failEvaluation) throw new Error('read failed');
          return cells.map(() => definitions.map((d) => ({ indicator: d.id, value: 7 })));
        },
      },
      publications: { put: async (edition: Parameters<InMemoryPublicationStore['put']>[0]) => (steps.push('put'), store.put(edition)) },
      now: () => (steps.push('now'), new Date('2026-10-08T02:00:00Z')),
    };
    return { steps, store, deps };
  }

  it('evaluates every division and takes publishedAt while processing is paused, and stores the edition after resuming', async () => {
    const { steps, store, deps } = recording();
    const summary = await publishEdition({ period: '2026-Q3', title: 't' }, deps);
    expect(steps).toEqual(['pause', 'evaluate 30', 'lease', 'now', 'resume', 'put']);
    expect(summary).toMatchObject({ period: '2026-Q3', publishedAt: '2026-10-08T02:00:00.000Z', figures: 30 * indicatorCatalog.length });
    expect(summary.id).toMatch(/^2026-Q3-20261008T020000Z-[0-9a-f]{4}$/);
    expect((await store.publication(summary.id))?.asOf).toBe('2026-09-30');
  });

  it('resumes processing even when the evaluation fails, and stores nothing', async () => {
    const { steps, deps } = recording(true);
    await expect(publishEdition({ period: '2026-Q3', title: 't' }, deps)).rejects.toThrow('read failed');
    expect(steps).toEqual(['pause', 'evaluate 30', 'resume']);
  });

  it('stores nothing when the figures were read after the pause’s lease, and resumes processing', async () => {
    const { steps, deps } = recording(false, true);
    await expect(publishEdition({ period: '2026-Q3', title: 't' }, deps)).rejects.toThrow(MaintenanceLeaseEndedError);
    expect(steps).toEqual(['pause', 'evaluate 30', 'lease', 'resume']);
  });

  it('refuses all before pausing anything', async () => {
    const { steps, deps } = recording();
    await expect(publishEdition({ period: 'all', title: 't' }, deps)).rejects.toThrow(/calendar period/);
    expect(steps).toEqual([]);
  });
});
