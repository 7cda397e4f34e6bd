/**
 * Entity state that events read and change. Every item carries `version`,
 * which the store uses for optimistic concurrency: a write is conditioned on
 * the version it was computed from, so two processors can never both apply a
 * change computed from the same old state.
 */

export type OrgKind = 'enterprise' | 'social_org' | 'public_institution';
export type Ownership = 'non_public' | 'state_owned' | 'collective';

export interface OrgState {
  readonly entity: 'org';
  readonly orgCode: string;
  readonly division: string;
  readonly kind: OrgKind;
  readonly ownership?: Ownership;
  readonly status: 'registered' | 'deregistered';
  readonly name: string;
  readonly industry?: string;
  readonly workers: number;
  readonly registeredOn: string;
  readonly deregisteredOn?: string;
  /** Has a party organisation (party.organization.established). */
  readonly partyOrg: boolean;
  readonly union: boolean;
  readonly version: number;
}

/** Where a counted fact is attributed: an organisation and its township. */
export interface Attribution {
  readonly orgCode: string;
  readonly division: string;
}

export interface HeldCertificate extends Attribution {
  readonly kind: 'skill' | 'degree';
  readonly level: string;
  readonly issuedOn: string;
  /** Date of the submission event: the certificate counts in stocks from then on. */
  readonly countedFrom: string;
  /** Date of the revocation event: from then on it counts no more. Kept, so stocks stay exact for any arrival order. */
  readonly revokedOn?: string;
}

export interface PaidReward {
  readonly certificateNo: string;
  readonly fen: number;
}

export interface PersonState {
  readonly entity: 'person';
  /** Pseudonym of the ID number; the raw number is never stored. */
  readonly ref: string;
  readonly certificates: Readonly<Record<string, HeldCertificate>>;
  /** `kind#level` → the certificate that earned the reward for it, and what was paid. */
  readonly rewards: Readonly<Record<string, PaidReward>>;
  readonly version: number;
}

export interface CertificateState {
  readonly entity: 'certificate';
  readonly certificateNo: string;
  /** `revoked` may precede submission when the revocation arrives first. */
  readonly status: 'held' | 'revoked';
  readonly holderRef?: string;
  readonly kind?: 'skill' | 'degree';
  readonly level?: string;
  readonly orgCode?: string;
  readonly division?: string;
  readonly issuedOn?: string;
  readonly revokedOn?: string;
  readonly version: number;
}

export interface CaseStep extends Attribution {
  readonly date: string;
}

export interface DisputeCaseState {
  readonly entity: 'case';
  readonly caseNo: string;
  readonly filed?: CaseStep;
  readonly mediated?: CaseStep & { readonly outcome: 'agreement' | 'no_agreement' };
  readonly confirmed?: CaseStep;
  readonly fulfilled?: CaseStep;
  /** Set once the case has agreement, confirmation and fulfilment. */
  readonly oneStop?: CaseStep;
  readonly version: number;
}

export interface ContractState {
  readonly entity: 'contract';
  readonly contractNo: string;
  readonly signedOn: string;
  readonly version: number;
}

/** Remembers that a once-only fact (a studio, a contestant) was counted. */
export interface OnceMarker {
  readonly entity: 'once';
  readonly date: string;
  readonly version: number;
}

/** The (scope, period) counter items a person was already counted in, for distinct counts. */
export interface DistinctMarker {
  readonly entity: 'distinct';
  readonly counted: readonly string[];
  readonly version: number;
}

export type StateItem = OrgState | PersonState | CertificateState | DisputeCaseState | ContractState | OnceMarker | DistinctMarker;

/** State item keys (partition key `pk` of the State table). */
export const stateKeys = {
  org: (orgCode: string): string => `ORG#${orgCode}`,
  person: (ref: string): string => `PERSON#${ref}`,
  certificate: (certificateNo: string): string => `CERT#${certificateNo}`,
  disputeCase: (caseNo: string): string => `CASE#${caseNo}`,
  contract: (contractNo: string): string => `CONTRACT#${contractNo}`,
} as const;
