import type { RewardPolicy } from '../../config/deployment.ts';
import type { Contribution } from '../contributions.ts';
import { contributionDeltas, deltaAt } from '../contributions.ts';
import type { CounterDelta, StateWrite } from '../decision.ts';
import { metrics } from '../metrics.ts';
import type { CertificateState, HeldCertificate, OrgState, PaidReward, PersonState } from '../state.ts';
import { stateKeys } from '../state.ts';
import type { EventRule } from './rule.ts';
import { isDecision, knownOrgs, noEffect } from './rule.ts';

/** Skill levels from the highest (高级技师) down; level3 and above is high-skilled. */
const skillRank: Readonly<Record<string, number>> = { level1: 1, level2: 2, level3: 3, level4: 4, level5: 5 };
const highSkilledRank = 3;

type Held = readonly [certificateNo: string, certificate: HeldCertificate];

/** Latest first, then by number: a stable choice among equals. */
function newestFirst(a: Held, b: Held): number {
  return b[1].issuedOn.localeCompare(a[1].issuedOn) || b[0].localeCompare(a[0]);
}

/** Whether a certificate counts on `date` (or, without a date, now: not revoked). */
function countsOn(certificate: HeldCertificate, date?: string): boolean {
  if (date === undefined) return certificate.revokedOn === undefined;
  return certificate.countedFrom <= date && (certificate.revokedOn === undefined || certificate.revokedOn > date);
}

/**
 * A person counts once, at their highest skill level, in the organisation
 * and township of the certificate that gives that level (the newest such
 * certificate if several do): on `date`, or now when no date is given.
 */
export function personContributions(person: PersonState | undefined, date?: string): Contribution[] {
  if (person === undefined) return [];
  const skills = Object.entries(person.certificates).filter(([, c]) => c.kind === 'skill' && countsOn(c, date));
  if (skills.length === 0) return [];
  const [, top] = [...skills].sort(
    (a, b) => (skillRank[a[1].level] ?? 99) - (skillRank[b[1].level] ?? 99) || newestFirst(a, b),
  )[0] as Held;
  const where = { orgCode: top.orgCode, division: top.division };
  const out: Contribution[] = [{ ...where, metric: metrics.skilled, value: 1 }];
  if ((skillRank[top.level] ?? 99) <= highSkilledRank) out.push({ ...where, metric: metrics.highSkilled, value: 1 });
  return out;
}

/**
 * The counter changes that turn the person's stock timeline `before` into
 * `after`, each on the date it takes effect. A certificate dated March that
 * arrives after one dated June changes the stock from March on, exactly as if
 * the two had arrived in date order.
 */
function personStockDeltas(before: PersonState | undefined, after: PersonState): CounterDelta[] {
  const dates = new Set<string>();
  for (const person of [before, after]) {
    for (const c of Object.values(person?.certificates ?? {})) {
      dates.add(c.countedFrom);
      if (c.revokedOn !== undefined) dates.add(c.revokedOn);
    }
  }
  const out: CounterDelta[] = [];
  let previousBefore: Contribution[] = [];
  let previousAfter: Contribution[] = [];
  for (const date of [...dates].sort()) {
    const nowBefore = personContributions(before, date);
    const nowAfter = personContributions(after, date);
    // (after − before) on this date, less what earlier dates already changed.
    out.push(...contributionDeltas([...nowBefore, ...previousAfter], [...nowAfter, ...previousBefore], date));
    previousBefore = nowBefore;
    previousAfter = nowAfter;
  }
  return out;
}

function rewardFen(policy: RewardPolicy, kind: 'skill' | 'degree', level: string): number {
  return Math.round((policy[kind][level] ?? 0) * 100);
}

const rewardKey = (kind: string, level: string): string => `${kind}#${level}`;

/** Pays the (kind, level) reward to the oldest held certificate that qualifies, if unpaid. */
function payIfDue(
  person: PersonState,
  kind: 'skill' | 'degree',
  level: string,
  policy: RewardPolicy,
  date: string,
): { rewards: Record<string, PaidReward>; deltas: CounterDelta[] } {
  const key = rewardKey(kind, level);
  const rewards = { ...person.rewards };
  const fen = rewardFen(policy, kind, level);
  if (rewards[key] !== undefined || fen <= 0) return { rewards, deltas: [] };
  const candidates = Object.entries(person.certificates)
    .filter(([, c]) => c.kind === kind && c.level === level && countsOn(c))
    .sort((a, b) => -newestFirst(a, b));
  const first = candidates[0];
  if (first === undefined) return { rewards, deltas: [] };
  const [certificateNo, cert] = first;
  rewards[key] = { certificateNo, fen };
  return {
    rewards,
    deltas: [deltaAt(cert, metrics.rewardFen, fen, date), deltaAt(cert, metrics.rewardedCertificates, 1, date)],
  };
}

function personWrite(before: PersonState | undefined, next: PersonState): StateWrite {
  return { key: stateKeys.person(next.ref), expectedVersion: before?.version, item: next };
}

function certificateWrite(before: CertificateState | undefined, next: CertificateState): StateWrite {
  return { key: stateKeys.certificate(next.certificateNo), expectedVersion: before?.version, item: next };
}

export const certificateSubmitted: EventRule<'certificate.submitted.v1'> = {
  keys: ({ data }) => [
    stateKeys.certificate(data.certificateNo),
    stateKeys.person(data.holder.idNumber),
    stateKeys.org(data.orgCode),
  ],
  decide: ({ event, state, rewards: policy }) => {
    const { data, date } = event;
    const orgs = knownOrgs(state, [data.orgCode]);
    if (isDecision(orgs)) return orgs;
    const [org] = orgs as [OrgState];
    const certBefore = state.get(stateKeys.certificate(data.certificateNo));
    const existing = certBefore?.entity === 'certificate' ? certBefore : undefined;
    const details = {
      holderRef: data.holder.idNumber,
      kind: data.kind,
      level: data.level,
      orgCode: org.orgCode,
      division: org.division,
      issuedOn: data.issuedOn,
    };
    if (existing?.status === 'held') return noEffect('certificate already recorded', [org.division]);
    const personBefore = state.get(stateKeys.person(data.holder.idNumber));
    const person: PersonState =
      personBefore?.entity === 'person'
        ? personBefore
        : { entity: 'person', ref: data.holder.idNumber, certificates: {}, rewards: {}, version: 0 };
    const revokedOn = existing?.status === 'revoked' ? existing.revokedOn : undefined;
    const held: PersonState = {
      ...person,
      certificates: {
        ...person.certificates,
        [data.certificateNo]: {
          kind: data.kind,
          level: data.level,
          orgCode: org.orgCode,
          division: org.division,
          issuedOn: data.issuedOn,
          countedFrom: date,
          ...(revokedOn === undefined ? {} : { revokedOn }),
        },
      },
    };
    if (existing?.status === 'revoked') {
      // The revocation overtook the submission: the certificate counts in the
      // stocks only between the two dates, and earns no reward.
      const next: PersonState = { ...held, version: person.version + 1 };
      return {
        outcome: 'apply',
        writes: [
          certificateWrite(existing, { ...existing, ...details, version: existing.version + 1 }),
          personWrite(personBefore?.entity === 'person' ? personBefore : undefined, next),
        ],
        deltas: personStockDeltas(person, next),
        divisions: [org.division],
        note: 'certificate was revoked before it was submitted',
      };
    }
    const paid = payIfDue(held, data.kind, data.level, policy, date);
    const next: PersonState = { ...held, rewards: paid.rewards, version: person.version + 1 };
    return {
      outcome: 'apply',
      writes: [
        certificateWrite(undefined, { entity: 'certificate', certificateNo: data.certificateNo, status: 'held', ...details, version: 1 }),
        personWrite(personBefore?.entity === 'person' ? personBefore : undefined, next),
      ],
      deltas: [...personStockDeltas(person, next), ...paid.deltas],
      divisions: [org.division],
    };
  },
};

export const certificateRevoked: EventRule<'certificate.revoked.v1'> = {
  keys: ({ data }, state) => {
    const cert = state.get(stateKeys.certificate(data.certificateNo));
    const holder = cert?.entity === 'certificate' ? cert.holderRef : undefined;
    return [stateKeys.certificate(data.certificateNo), ...(holder === undefined ? [] : [stateKeys.person(holder)])];
  },
  decide: ({ event, state, rewards: policy }) => {
    const { data, date } = event;
    const loaded = state.get(stateKeys.certificate(data.certificateNo));
    const cert = loaded?.entity === 'certificate' ? loaded : undefined;
    if (cert === undefined) {
      // Revocation first: leave a tombstone so the late submission counts nothing.
      return {
        outcome: 'apply',
        writes: [certificateWrite(undefined, { entity: 'certificate', certificateNo: data.certificateNo, status: 'revoked', revokedOn: date, version: 1 })],
        deltas: [],
        divisions: [],
        note: 'certificate revoked before it was submitted',
      };
    }
    const divisions = cert.division === undefined ? [] : [cert.division];
    if (cert.status === 'revoked') return noEffect('certificate already revoked', divisions);
    const revoked = certificateWrite(cert, { ...cert, status: 'revoked', revokedOn: date, version: cert.version + 1 });
    const loadedPerson = cert.holderRef === undefined ? undefined : state.get(stateKeys.person(cert.holderRef));
    const person = loadedPerson?.entity === 'person' ? loadedPerson : undefined;
    const held = person?.certificates[data.certificateNo];
    if (person === undefined || held === undefined || held.revokedOn !== undefined) {
      return { outcome: 'apply', writes: [revoked], deltas: [], divisions };
    }
    const key = rewardKey(held.kind, held.level);
    const paidForThis = person.rewards[key]?.certificateNo === data.certificateNo ? person.rewards[key] : undefined;
    const { [key]: _clawed, ...otherRewards } = person.rewards;
    const without: PersonState = {
      ...person,
      certificates: { ...person.certificates, [data.certificateNo]: { ...held, revokedOn: date } },
      rewards: paidForThis === undefined ? person.rewards : otherRewards,
    };
    const clawBack: CounterDelta[] =
      paidForThis === undefined
        ? []
        : [deltaAt(held, metrics.rewardFen, -paidForThis.fen, date), deltaAt(held, metrics.rewardedCertificates, -1, date)];
    // Another certificate of the same kind and level still earns the (person, kind, level) reward.
    const repaid = paidForThis === undefined ? { rewards: without.rewards, deltas: [] } : payIfDue(without, held.kind, held.level, policy, date);
    const next: PersonState = { ...without, rewards: repaid.rewards, version: person.version + 1 };
    return {
      outcome: 'apply',
      writes: [revoked, personWrite(person, next)],
      deltas: [...personStockDeltas(person, next), ...clawBack, ...repaid.deltas],
      divisions,
    };
  },
};
