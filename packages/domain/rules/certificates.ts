import type { RewardPolicy } from '../../config/deployment.ts';
import { rewardYuan } from '../../config/deployment.ts';
import { contributionChange, deltaAt } from '../contributions.ts';
import type { CounterDelta, Decision, StateWrite } from '../decision.ts';
import { metrics } from '../metrics.ts';
import { outranks } from '../rank.ts';
import type { Interval } from '../sweep.ts';
import { sweepBest } from '../sweep.ts';
import type { CertificateState, CertificateSubmission, HeldCertificate, OrgState, PersonState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule } from './rule.ts';
import { isDecision, knownOrgs, loaded, noEffect } from './rule.ts';

/** Skill levels from the highest (高级技师) down; level3 and above is high-skilled. */
const skillRank: Readonly<Record<string, number>> = { level1: 1, level2: 2, level3: 3, level4: 4, level5: 5 };
const highSkilledRank = 3;

type Held = HeldCertificate & Interval & { readonly certificateNo: string; /** 1 (level1) to 5, 99 for degrees. */ readonly levelRank: number };

/** The interval view of each held certificate, made once per certificate object (a person's state keeps them across events). */
const intervals = new WeakMap<HeldCertificate, Held>();

function heldIntervals(person: PersonState): Held[] {
  return Object.entries(person.certificates).map(([certificateNo, c]) => {
    let held = intervals.get(c);
    if (held === undefined || held.certificateNo !== certificateNo) {
      held = { ...c, certificateNo, levelRank: skillRank[c.level] ?? 99, from: c.countedFrom, ...(c.revokedOn === undefined ? {} : { until: c.revokedOn }) };
      intervals.set(c, held);
    }
    return held;
  });
}

/** The highest level first; among equals the newest certificate, then the higher number: a stable choice. */
const higherLevel = (a: Held, b: Held): boolean =>
  a.levelRank !== b.levelRank
    ? a.levelRank < b.levelRank
    : a.issuedOn !== b.issuedOn
      ? a.issuedOn > b.issuedOn
      : a.certificateNo > b.certificateNo;

/** The oldest certificate first, then the lower number: the one a reward is paid for. */
const older = (a: Held, b: Held): boolean => (a.issuedOn !== b.issuedOn ? a.issuedOn < b.issuedOn : a.certificateNo < b.certificateNo);

/**
 * The person's skill stock over time: a person counts once, at their highest
 * skill level on each date, in the organisation and township of the
 * certificate that gives that level.
 */
function stockContributions(held: readonly Held[]): CounterDelta[] {
  const out: CounterDelta[] = [];
  let current: Held | undefined;
  const counts = (c: Held | undefined) => (c === undefined ? [] : [metrics.skilled, ...(c.levelRank <= highSkilledRank ? [metrics.highSkilled] : [])]);
  sweepBest(
    held.filter((c) => c.kind === 'skill'),
    higherLevel,
    (date, best) => {
      if (best === current) return;
      for (const metric of counts(current)) out.push(deltaAt(current as Held, metric, -1, date));
      for (const metric of counts(best)) out.push(deltaAt(best as Held, metric, 1, date));
      current = best;
    },
  );
  return out;
}

/**
 * The dual-upgrade rewards over time, per (kind, level): paid once, on the
 * first date the person holds a qualifying certificate, for the oldest one
 * held then; clawed back on the date that certificate is revoked, and paid
 * again the same day for another certificate of that kind and level still
 * held (or later, when one is submitted).
 */
function rewardContributions(held: readonly Held[], policy: RewardPolicy): CounterDelta[] {
  const out: CounterDelta[] = [];
  const groups = new Map<string, Held[]>();
  for (const c of held) (groups.get(`${c.kind}#${c.level}`) ?? groups.set(`${c.kind}#${c.level}`, []).get(`${c.kind}#${c.level}`)!).push(c);
  for (const group of groups.values()) {
    const { kind, level } = group[0] as Held;
    // Priced on the day it is paid (the policy then in effect), and clawed back at that price.
    let paid: { certificate: Held; fen: number } | undefined;
    sweepBest(group, older, (date, best) => {
      if (paid !== undefined && paid.certificate.until !== undefined && paid.certificate.until <= date) {
        out.push(deltaAt(paid.certificate, metrics.rewardFen, -paid.fen, date), deltaAt(paid.certificate, metrics.rewardedCertificates, -1, date));
        paid = undefined;
      }
      if (paid !== undefined || best === undefined) return;
      const fen = Math.round(rewardYuan(policy, kind, level, date) * 100);
      if (fen <= 0) return;
      out.push(deltaAt(best, metrics.rewardFen, fen, date), deltaAt(best, metrics.rewardedCertificates, 1, date));
      paid = { certificate: best, fen };
    });
  }
  return out;
}

/** Contributions computed per person state: a batch of one person's certificates computes each state's once. */
const computed = new WeakMap<PersonState, { policy: RewardPolicy; deltas: CounterDelta[] }>();

/** Everything a person adds to the counters, from their certificates alone. */
export function personContributions(person: PersonState | undefined, policy: RewardPolicy): CounterDelta[] {
  if (person === undefined) return [];
  const cached = computed.get(person);
  if (cached !== undefined && cached.policy === policy) return cached.deltas;
  const held = heldIntervals(person);
  const deltas = [...stockContributions(held), ...rewardContributions(held, policy)];
  computed.set(person, { policy, deltas });
  return deltas;
}

/** The person changes `before` → `after`: the state write and the counter changes. */
function personChange(before: PersonState | undefined, after: PersonState, policy: RewardPolicy): { write: StateWrite; deltas: CounterDelta[] } {
  const next: PersonState = { ...after, version: (before?.version ?? 0) + 1 };
  return {
    write: { key: stateKeys.person(after.ref), expectedVersion: before?.version, item: next },
    deltas: contributionChange(personContributions(before, policy), personContributions(next, policy)),
  };
}

const emptyPerson = (ref: string): PersonState => ({ entity: 'person', ref, certificates: {}, version: 0 });

function withoutCertificate(person: PersonState, certificateNo: string): PersonState {
  const { [certificateNo]: _removed, ...rest } = person.certificates;
  return { ...person, certificates: rest };
}

/**
 * A certificate counts once, by `certificateNo`: the lowest-ranked
 * submission counts (from its date), whenever it arrives; an earlier
 * submission arriving later moves it. A revocation (the earliest counts)
 * ends it, whether it arrives before or after the submission.
 */
export const certificateSubmitted: EventRule<'certificate.submitted.v1'> = {
  keys: ({ data }, state) => {
    const cert = loaded<CertificateState>(state, stateKeys.certificate(data.certificateNo), 'certificate');
    const previousHolder = cert?.submission?.holderRef;
    return [
      stateKeys.certificate(data.certificateNo),
      stateKeys.person(data.holder.idNumber),
      stateKeys.org(data.orgCode),
      ...(previousHolder === undefined ? [] : [stateKeys.person(previousHolder)]),
    ];
  },
  decide: ({ event, state, rewards: policy }) => {
    const { data, date, rank } = event;
    const orgs = knownOrgs(state, [data.orgCode]);
    if (isDecision(orgs)) return orgs;
    const [org] = orgs as [OrgState];
    const certKey = stateKeys.certificate(data.certificateNo);
    const cert = loaded<CertificateState>(state, certKey, 'certificate');
    if (cert?.submission !== undefined && !outranks(rank, cert.submission.rank)) return noEffect('certificate already recorded', [org.division]);

    const submission: CertificateSubmission = {
      rank,
      date,
      holderRef: data.holder.idNumber,
      kind: data.kind,
      level: data.level,
      orgCode: org.orgCode,
      division: org.division,
      issuedOn: data.issuedOn,
    };
    const held: HeldCertificate = {
      kind: data.kind,
      level: data.level,
      orgCode: org.orgCode,
      division: org.division,
      issuedOn: data.issuedOn,
      countedFrom: date,
      ...(cert?.revokedOn === undefined ? {} : { revokedOn: cert.revokedOn }),
    };
    const writes: StateWrite[] = [
      { key: certKey, expectedVersion: cert?.version, item: { entity: 'certificate', certificateNo: data.certificateNo, ...cert, submission, version: (cert?.version ?? 0) + 1 } },
    ];
    const deltas: CounterDelta[] = [];
    const previousHolder = cert?.submission?.holderRef;
    if (previousHolder !== undefined && previousHolder !== submission.holderRef) {
      // An earlier submission names another holder: the certificate moves to them.
      const before = loaded<PersonState>(state, stateKeys.person(previousHolder), 'person');
      if (before !== undefined) {
        const change = personChange(before, withoutCertificate(before, data.certificateNo), policy);
        writes.push(change.write);
        deltas.push(...change.deltas);
      }
    }
    const before = loaded<PersonState>(state, stateKeys.person(submission.holderRef), 'person');
    const person = before ?? emptyPerson(submission.holderRef);
    const change = personChange(before, { ...person, certificates: { ...person.certificates, [data.certificateNo]: held } }, policy);
    writes.push(change.write);
    deltas.push(...change.deltas);
    return {
      outcome: 'apply',
      writes,
      deltas,
      divisions: [org.division],
      ...(cert?.revokedOn === undefined ? {} : { note: 'the certificate was revoked before this submission arrived' }),
    };
  },
};

export const certificateRevoked: EventRule<'certificate.revoked.v1'> = {
  keys: ({ data }, state) => {
    const cert = loaded<CertificateState>(state, stateKeys.certificate(data.certificateNo), 'certificate');
    const holder = cert?.submission?.holderRef;
    return [stateKeys.certificate(data.certificateNo), ...(holder === undefined ? [] : [stateKeys.person(holder)])];
  },
  decide: ({ event, state, rewards: policy }) => {
    const { data, date } = event;
    const certKey = stateKeys.certificate(data.certificateNo);
    const cert = loaded<CertificateState>(state, certKey, 'certificate');
    const divisions = cert?.submission === undefined ? [] : [cert.submission.division];
    if (cert?.revokedOn !== undefined && cert.revokedOn <= date) return noEffect('certificate already revoked', divisions);
    const writes: StateWrite[] = [
      { key: certKey, expectedVersion: cert?.version, item: { entity: 'certificate', certificateNo: data.certificateNo, ...cert, revokedOn: date, version: (cert?.version ?? 0) + 1 } },
    ];
    const submission = cert?.submission;
    if (submission === undefined) {
      // Revocation first: the submission, when it comes, counts only until this date.
      return { outcome: 'apply', writes, deltas: [], divisions, note: 'certificate revoked before it was submitted' };
    }
    const before = loaded<PersonState>(state, stateKeys.person(submission.holderRef), 'person');
    const heldBefore = before?.certificates[data.certificateNo];
    if (before === undefined || heldBefore === undefined) return { outcome: 'apply', writes, deltas: [], divisions };
    const change = personChange(before, { ...before, certificates: { ...before.certificates, [data.certificateNo]: { ...heldBefore, revokedOn: date } } }, policy);
    return { outcome: 'apply', writes: [...writes, change.write], deltas: change.deltas, divisions };
  },
};
