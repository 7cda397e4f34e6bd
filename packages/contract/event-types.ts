/**
 * The `data` shape of every event type in the contract (EVENTS.md), as
 * zod/mini strict objects: unknown fields are rejected, not ignored.
 *
 * Limits the contract leaves open, chosen here and part of v1:
 * - identifiers (`certificateNo`, `caseNo`, `contractNo`, `studioId`,
 *   `projectId`, `baseId`, `pairId`, `competition`): 1–128 characters;
 * - names and free text (`name`, `awardName`, `occupation`, `industry`,
 *   `field`, `category`, `partnerSchool`, `activity`): 1–200 characters;
 *   `certificate.revoked.v1` `reason`: 1–500 characters;
 * - free text must contain a visible character and no control, format or
 *   separator character (the exact rule is in `free-text.ts`);
 * - no string but an `idNumber` field may contain a resident ID number
 *   (checked for the whole event by `validateEvent`, see `string-scan.ts`);
 * - counts (`workers`, `members`, `claimants`, …) are integers ≤ 100,000,000;
 * - dates (`...On`, `asOf`) are real `YYYY-MM-DD` dates in the years 1900–2100;
 * - `contract.signed.v1` `orgCodes`: 1–1000 distinct codes.
 */
import * as z from 'zod/mini';
import { freeTextProblem } from './free-text.ts';
import { isDivisionCode, residentIdProblem, usccProblem } from './identifiers.ts';
import { isYuanAmount, maxYuan } from './money.ts';
import { isCalendarDate } from './time.ts';

/** Longest identifier (case numbers, certificate numbers, ids), in characters. */
export const maxIdentifierLength = 128;
/** Longest name or short free text, in characters. */
export const maxNameLength = 200;
/** Largest count (workers, members, claimants, booklets, baseline values). */
export const maxCount = 100_000_000;

function text(max: number) {
  return z.string().check(
    z.maxLength(max),
    z.superRefine((value, ctx) => {
      const problem = freeTextProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: value });
    }),
  );
}

const identifier = () => text(maxIdentifierLength);
const name = () => text(maxNameLength);

/** An 18-character resident identity number with a valid MOD 11-2 check character. */
const idNumber = () =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = residentIdProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `not a valid resident ID number: ${problem}`, input: value });
    }),
  );

/** An 18-character unified social credit code with a valid check character. */
const orgCode = () =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const problem = usccProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `not a valid unified social credit code: ${problem}`, input: value });
    }),
  );

/** A 12-digit division code; membership of the deployment's tree is checked by validateEvent. */
const division = () =>
  z.string().check(z.refine(isDivisionCode, { message: 'must be a 12-digit division code' }));

const calendarDate = () =>
  z.string().check(
    z.refine((value) => isCalendarDate(value) && value >= '1900' && value < '2101', {
      message: 'must be a real date written YYYY-MM-DD, years 1900–2100',
    }),
  );

const yuan = () =>
  z.number().check(z.refine(isYuanAmount, { message: `must be an amount ≥ 0 and ≤ ${maxYuan} yuan with at most 2 decimals` }));

const count = (minimum: 0 | 1) => z.int().check(z.gte(minimum), z.lte(maxCount));

const skillLevels = ['level1', 'level2', 'level3', 'level4', 'level5'] as const;
const degreeLevels = ['associate', 'bachelor', 'master', 'doctor'] as const;

/**
 * Stock indicators that accept an opening balance (`baseline.recorded.v1`
 * `metric`): the ids of INDICATORS.md's stock indicators whose figures come
 * from counters.
 */
export const baselineMetricIds = [
  'skilled_workers',
  'high_skilled_workers',
  'skill_studios',
  'zhongzhou_talents',
  'zhongzhou_craftsmen',
  'training_bases',
] as const;

export type BaselineMetricId = (typeof baselineMetricIds)[number];

const organizationRegistered = z
  .strictObject({
    orgCode: orgCode(),
    name: name(),
    kind: z.enum(['enterprise', 'social_org', 'public_institution']),
    ownership: z.optional(z.enum(['non_public', 'state_owned', 'collective'])),
    division: division(),
    industry: z.optional(name()),
    workers: count(0),
  })
  .check(
    z.superRefine((data, ctx) => {
      if (data.kind === 'enterprise' && data.ownership === undefined) {
        ctx.addIssue({ code: 'custom', path: ['ownership'], message: 'required when kind is enterprise', input: data.ownership });
      } else if (data.kind !== 'enterprise' && data.ownership !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['ownership'], message: 'only allowed when kind is enterprise', input: data.ownership });
      }
    }),
  );

const certificateSubmitted = z
  .strictObject({
    certificateNo: identifier(),
    kind: z.enum(['skill', 'degree']),
    level: z.enum([...skillLevels, ...degreeLevels]),
    issuedOn: calendarDate(),
    holder: z.strictObject({ idNumber: idNumber(), frontline: z.boolean() }),
    orgCode: orgCode(),
    occupation: z.optional(name()),
  })
  .check(
    z.superRefine((data, ctx) => {
      const allowed: readonly string[] = data.kind === 'skill' ? skillLevels : degreeLevels;
      if (!allowed.includes(data.level)) {
        ctx.addIssue({ code: 'custom', path: ['level'], message: `must be one of ${allowed.join(', ')} when kind is ${data.kind}`, input: data.level });
      }
    }),
  );

const contractSigned = z
  .strictObject({
    contractNo: identifier(),
    kind: z.enum(['collective', 'special']),
    topic: z.optional(z.enum(['wages', 'women', 'safety', 'other'])),
    orgCodes: z.array(orgCode()).check(z.minLength(1), z.maxLength(1000)),
    workersCovered: count(1),
    signedOn: calendarDate(),
  })
  .check(
    z.superRefine((data, ctx) => {
      if (data.kind === 'special' && data.topic === undefined) {
        ctx.addIssue({ code: 'custom', path: ['topic'], message: 'required when kind is special', input: data.topic });
      } else if (data.kind !== 'special' && data.topic !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['topic'], message: 'only allowed when kind is special', input: data.topic });
      }
      const seen = new Set<string>();
      data.orgCodes.forEach((code, index) => {
        if (seen.has(code)) ctx.addIssue({ code: 'custom', path: ['orgCodes', index], message: 'repeats an earlier organisation', input: code });
        seen.add(code);
      });
    }),
  );

const apprenticeshipPaired = z
  .strictObject({
    pairId: identifier(),
    mentorIdNumber: idNumber(),
    apprenticeIdNumber: idNumber(),
    orgCode: orgCode(),
  })
  .check(
    z.superRefine((data, ctx) => {
      // A person cannot mentor themselves; compared case-insensitively because a check 'x' may be lower case.
      if (data.mentorIdNumber.toUpperCase() === data.apprenticeIdNumber.toUpperCase()) {
        ctx.addIssue({ code: 'custom', path: ['apprenticeIdNumber'], message: 'must be another person than the mentor', input: undefined });
      }
    }),
  );

/**
 * The data schema of every event type: a zod/mini strict object per type.
 * Shapes are exactly those of EVENTS.md; see the module comment for limits.
 */
export const dataSchemas = {
  // Organisations
  'organization.registered.v1': organizationRegistered,
  'organization.deregistered.v1': z.strictObject({ orgCode: orgCode() }),

  // Pillar 1: party building leads
  'party.organization.established.v1': z.strictObject({ orgCode: orgCode(), establishedOn: calendarDate() }),
  'party.member.developed.v1': z.strictObject({
    idNumber: idNumber(),
    orgCode: orgCode(),
    admittedOn: calendarDate(),
    frontline: z.boolean(),
  }),
  'party.post.designated.v1': z.strictObject({
    orgCode: orgCode(),
    postKind: z.enum(['demonstration_post', 'responsibility_zone', 'commando_team']),
    name: name(),
  }),
  'union.established.v1': z.strictObject({ orgCode: orgCode(), establishedOn: calendarDate(), members: count(1) }),
  'award.granted.v1': z.strictObject({
    idNumber: idNumber(),
    orgCode: orgCode(),
    awardName: name(),
    level: z.enum(['county', 'city', 'province', 'national']),
    frontline: z.boolean(),
  }),
  'representative.seated.v1': z.strictObject({
    idNumber: idNumber(),
    orgCode: orgCode(),
    body: z.enum(['party_congress', 'peoples_congress', 'cppcc']),
    category: z.enum(['model_worker', 'technical_worker', 'other']),
  }),

  // Pillar 2: skills
  'certificate.submitted.v1': certificateSubmitted,
  'certificate.revoked.v1': z.strictObject({ certificateNo: identifier(), reason: text(500) }),
  'competition.entry.recorded.v1': z.strictObject({
    competition: identifier(),
    field: name(),
    category: name(),
    idNumber: idNumber(),
    orgCode: orgCode(),
    placement: z.optional(count(1)),
  }),
  'studio.established.v1': z.strictObject({
    studioId: identifier(),
    kind: z.enum(['model_worker', 'craftsman', 'skill_master']),
    level: z.enum(['county', 'city']),
    orgCode: orgCode(),
  }),
  'talent.title.awarded.v1': z.strictObject({
    idNumber: idNumber(),
    orgCode: orgCode(),
    title: z.enum(['zhongzhou_talent', 'zhongzhou_craftsman']),
    year: z.int().check(z.gte(2000), z.lte(2100)),
  }),
  'innovation.converted.v1': z.strictObject({
    projectId: identifier(),
    activity: z.enum(['five_small', 'golden_idea', 'other']),
    orgCode: orgCode(),
  }),
  'training.base.established.v1': z.strictObject({ baseId: identifier(), orgCode: orgCode(), partnerSchool: z.optional(name()) }),
  'apprenticeship.paired.v1': apprenticeshipPaired,
  'training.completed.v1': z.strictObject({
    idNumber: idNumber(),
    group: z.enum(['in_service', 'migrant', 'hardship_graduate']),
    programme: z.enum(['employment', 'entrepreneurship']),
    orgCode: z.optional(orgCode()),
  }),

  // Pillar 3: rights
  'contract.signed.v1': contractSigned,
  'dispute.filed.v1': z.strictObject({
    caseNo: identifier(),
    orgCode: orgCode(),
    claimants: count(1),
    category: z.enum(['wages', 'social_insurance', 'labour_contract', 'work_injury', 'other']),
    channel: z.enum(['union', 'judicial', 'hrss', 'court', 'procuratorate']),
    claimedYuan: z.optional(yuan()),
  }),
  'dispute.mediated.v1': z.strictObject({
    caseNo: identifier(),
    orgCode: orgCode(),
    outcome: z.enum(['agreement', 'no_agreement']),
    agreedYuan: z.optional(yuan()),
  }),
  'dispute.confirmed.v1': z.strictObject({ caseNo: identifier(), orgCode: orgCode() }),
  'dispute.fulfilled.v1': z.strictObject({ caseNo: identifier(), orgCode: orgCode(), paidYuan: z.optional(yuan()) }),
  'legal_aid.case.closed.v1': z.strictObject({
    caseNo: identifier(),
    orgCode: z.optional(orgCode()),
    beneficiaries: count(1),
    recoveredYuan: yuan(),
  }),
  'hardship_aid.granted.v1': z.strictObject({
    idNumber: idNumber(),
    amountYuan: yuan(),
    kind: z.enum(['living', 'medical', 'education', 'other']),
  }),
  'outreach.conducted.v1': z.strictObject({
    activity: name(),
    booklets: count(0),
    enterprisesServed: count(0),
    workersReached: count(0),
  }),

  /**
   * An opening balance for a stock indicator: `metric` is one of
   * {@link baselineMetricIds}, `division` any division of the tree (the
   * county included), `asOf` the date the balance holds at, `value` the
   * figure (integer ≥ 0).
   */
  'baseline.recorded.v1': z.strictObject({
    metric: z.enum(baselineMetricIds),
    division: division(),
    asOf: calendarDate(),
    value: count(0),
  }),
} as const;

/** Every event type of the contract, e.g. `certificate.submitted.v1`. */
export type EventType = keyof typeof dataSchemas;

/** Every event type of the contract, in EVENTS.md order. */
export const eventTypes: readonly EventType[] = Object.freeze(Object.keys(dataSchemas) as EventType[]);

/** The `data` of an event of type T, as producers send it (after validation). */
export type EventData<T extends EventType> = z.infer<(typeof dataSchemas)[T]>;

const knownTypes: ReadonlySet<string> = new Set(eventTypes);

/** True when `type` is one of the contract's event types. */
export function isEventType(type: string): type is EventType {
  return knownTypes.has(type);
}

const noPaths: readonly (readonly string[])[] = Object.freeze([]);

const idNumberPathsByType: Partial<Record<EventType, readonly (readonly string[])[]>> = {
  'party.member.developed.v1': [['idNumber']],
  'award.granted.v1': [['idNumber']],
  'representative.seated.v1': [['idNumber']],
  'certificate.submitted.v1': [['holder', 'idNumber']],
  'competition.entry.recorded.v1': [['idNumber']],
  'talent.title.awarded.v1': [['idNumber']],
  'apprenticeship.paired.v1': [['mentorIdNumber'], ['apprenticeIdNumber']],
  'training.completed.v1': [['idNumber']],
  'hardship_aid.granted.v1': [['idNumber']],
};

/**
 * Where resident ID numbers live in an event's data, as property paths
 * (e.g. `[['holder', 'idNumber']]`): the fields to pseudonymise on arrival.
 * Empty for types that name no person.
 */
export function idNumberPaths(type: EventType): readonly (readonly string[])[] {
  return idNumberPathsByType[type] ?? noPaths;
}

/** Data fields holding a division code that must exist in the deployment's tree. */
export function divisionPaths(type: EventType): readonly (readonly string[])[] {
  return type === 'organization.registered.v1' || type === 'baseline.recorded.v1' ? [['division']] : noPaths;
}
