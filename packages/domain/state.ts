/**
 * Entity state that events read and change. Each item is the *merge* of the
 * events reported about one entity (an organisation, a certificate, a
 * person, a once-only fact) under rules that are commutative — the lowest
 * rank wins, the earliest date wins, sets are unions — so the state after a
 * set of events is the same whatever order they arrived in. Counters are a
 * pure function of these states (see contributions.ts), which is what makes
 * every figure order-free.
 *
 * Every item carries `version`, which the store uses for optimistic
 * concurrency: a write is conditioned on the version it was computed from.
 */
import type { Rank } from './rank.ts';

export type OrgKind = 'enterprise' | 'social_org' | 'public_institution';
export type Ownership = 'non_public' | 'state_owned' | 'collective';

/** Where a counted fact is attributed: an organisation and its township. */
export interface Attribution {
  readonly orgCode: string;
  readonly division: string;
}

/** The registration that counts: the lowest-ranked one. */
export interface Registration {
  readonly rank: Rank;
  readonly date: string;
  readonly division: string;
  readonly kind: OrgKind;
  readonly ownership?: Ownership;
  readonly name: string;
  readonly industry?: string;
  readonly workers: number;
}

export interface OrgState {
  readonly entity: 'org';
  readonly orgCode: string;
  /** Fixed by the first accepted registration: registering elsewhere is a conflict. */
  readonly division: string;
  readonly registration: Registration;
  /** The earliest deregistration date: from then on it is in no stock. */
  readonly deregisteredOn?: string;
  /** The earliest date a party organisation was established. */
  readonly partyOn?: string;
  /** The union report that counts (union.established, once per organisation). */
  readonly union?: { readonly rank: Rank; readonly date: string; readonly members: number };
  readonly version: number;
}

export interface HeldCertificate extends Attribution {
  readonly kind: 'skill' | 'degree';
  readonly level: string;
  readonly issuedOn: string;
  /** Date of the submission that counts: the certificate counts in stocks from then on. */
  readonly countedFrom: string;
  /** Earliest revocation date: from then on it counts no more. */
  readonly revokedOn?: string;
}

export interface PersonState {
  readonly entity: 'person';
  /** Pseudonym of the ID number; the raw number is never stored. */
  readonly ref: string;
  readonly certificates: Readonly<Record<string, HeldCertificate>>;
  readonly version: number;
}

/** The submission of a certificate that counts, and where its holder is found. */
export interface CertificateSubmission extends Attribution {
  readonly rank: Rank;
  readonly date: string;
  readonly holderRef: string;
  readonly kind: 'skill' | 'degree';
  readonly level: string;
  readonly issuedOn: string;
}

export interface CertificateState {
  readonly entity: 'certificate';
  readonly certificateNo: string;
  /** Absent while only a revocation has arrived. */
  readonly submission?: CertificateSubmission;
  readonly revokedOn?: string;
  readonly version: number;
}

/** One step of a dispute case: the report that counts. */
export interface CaseStep extends Attribution {
  readonly rank: Rank;
  readonly date: string;
}

export interface DisputeCaseState {
  readonly entity: 'case';
  readonly caseNo: string;
  readonly filed?: CaseStep;
  /** The lowest-ranked mediation that reached an agreement. */
  readonly agreement?: CaseStep;
  readonly confirmed?: CaseStep;
  readonly fulfilled?: CaseStep;
  readonly version: number;
}

/** A metric amount a counted fact adds. */
export type Amount = readonly [metric: string, amount: number];

/**
 * A once-only fact (a studio, a contract, a contestant): the report that
 * counts, with everything needed to count it and to take it back should an
 * earlier report arrive.
 */
export interface OnceFact {
  readonly entity: 'once';
  readonly rank: Rank;
  readonly date: string;
  readonly orgCodes: readonly string[];
  readonly divisions: readonly string[];
  readonly amounts: readonly Amount[];
  readonly version: number;
}

/**
 * The dates one person was trained on, per scope (counter partition: the
 * organisation, its township, the county), for distinct counts per period.
 * One item per person, so a training writes one state item, not one per
 * scope.
 */
export interface TrainedDates {
  readonly entity: 'trained';
  /** Scope → its dates, sorted and distinct: at most one entry a day per scope (paged like any state item when large). */
  readonly scopes: Readonly<Record<string, readonly string[]>>;
  readonly version: number;
}

/** The opening balance that counts for (metric, division, asOf): the highest-ranked report, i.e. the latest correction. */
export interface BaselineWinner {
  readonly entity: 'baseline';
  readonly rank: Rank;
  readonly value: number;
  readonly version: number;
}

export type StateItem = OrgState | PersonState | CertificateState | DisputeCaseState | OnceFact | TrainedDates | BaselineWinner;

/** State item keys (partition key `pk` of the State table). */
export const stateKeys = {
  org: (orgCode: string): string => `ORG#${orgCode}`,
  person: (ref: string): string => `PERSON#${ref}`,
  certificate: (certificateNo: string): string => `CERT#${certificateNo}`,
  disputeCase: (caseNo: string): string => `CASE#${caseNo}`,
  once: (kind: string, ...parts: readonly string[]): string => `ONCE#${kind}#${parts.join('#')}`,
  trained: (ref: string): string => `TRAINED#${ref}`,
  baseline: (metric: string, division: string, asOf: string): string => `BASELINE#${metric}#${division}#${asOf}`,
} as const;
