/**
 * Deployment configuration: the division tree, which producer may send which
 * event types, and the reward policy. The contract calls these "deployment
 * configuration, not events". The default is Zhong County's; a deployment can
 * replace it with the JSON in `DEPLOYMENT_CONFIG`.
 */
import * as z from 'zod/mini';
import { zhongCounty } from './zhong-county.ts';

/** The environment variable holding a deployment's configuration as JSON. */
export const deploymentConfigVariable = 'DEPLOYMENT_CONFIG';

export interface DivisionNode {
  readonly code: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly children?: readonly DivisionNode[];
}

/** Reward in yuan per (certificate kind, level); levels absent earn nothing. */
export interface RewardAmounts {
  readonly skill: Readonly<Record<string, number>>;
  readonly degree: Readonly<Record<string, number>>;
}

/**
 * The dual-upgrade rewards over time: each entry in effect from its `from`
 * date (`YYYY-MM-DD`; the first entry's may be absent: from the beginning)
 * until the next entry's. A reward is priced by the entry in effect on the
 * day it is paid, and clawed back at that price, so a new policy changes no
 * reward paid before it — live or in a rebuild.
 */
export type RewardPolicy = readonly (RewardAmounts & { readonly from?: string })[];

/** The reward in yuan for a certificate of `kind` and `level` paid on `date` (0 before the policy's first entry, or for a level it names not). */
export function rewardYuan(policy: RewardPolicy, kind: keyof RewardAmounts, level: string, date: string): number {
  let amounts: RewardAmounts | undefined;
  for (const entry of policy) if (entry.from === undefined || entry.from <= date) amounts = entry;
  return amounts?.[kind][level] ?? 0;
}

export interface DeploymentConfig {
  readonly root: DivisionNode;
  /** source → event types it may send (exact type names, e.g. `certificate.submitted.v1`). */
  readonly sources: Readonly<Record<string, readonly string[]>>;
  readonly rewards: RewardPolicy;
  /** Names of the token claims the API authorises on (identity providers reserve some names). */
  readonly claims: ClaimNames;
}

/** Which token claims hold the caller's role, division and producer source. */
export interface ClaimNames {
  readonly role: string;
  readonly division: string;
  readonly source: string;
}

/** The claim names of contract/API.md, unless a deployment renames them. */
export const defaultClaimNames: ClaimNames = { role: 'role', division: 'division', source: 'source' };

export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}

/** The division tree flattened: parent links and names, built once. */
export class DivisionTree {
  readonly rootCode: string;
  private readonly parents = new Map<string, string | undefined>();
  private readonly nodes = new Map<string, DivisionNode>();

  constructor(root: DivisionNode) {
    this.rootCode = root.code;
    const visit = (node: DivisionNode, parent: string | undefined): void => {
      if (this.nodes.has(node.code)) throw new ConfigError(`division ${node.code} appears twice in the tree`);
      this.nodes.set(node.code, node);
      this.parents.set(node.code, parent);
      for (const child of node.children ?? []) visit(child, node.code);
    };
    visit(root, undefined);
  }

  has(code: string): boolean {
    return this.nodes.has(code);
  }

  node(code: string): DivisionNode | undefined {
    return this.nodes.get(code);
  }

  /** The division itself and every ancestor up to the root, nearest first. */
  lineage(code: string): string[] {
    const out: string[] = [];
    for (let c: string | undefined = code; c !== undefined; c = this.parents.get(c)) out.push(c);
    return out;
  }

  /** The division and every division below it. */
  subtree(code: string): string[] {
    return [code, ...this.children(code).flatMap((child) => this.subtree(child))];
  }

  children(code: string): string[] {
    return (this.nodes.get(code)?.children ?? []).map((c) => c.code);
  }

  /** True when `code` is `scope` or lies below it. */
  isWithin(code: string, scope: string): boolean {
    return this.lineage(code).includes(scope);
  }

  /** Divisions an organisation may be registered in: every node but the root. */
  isTownship(code: string): boolean {
    return this.nodes.has(code) && code !== this.rootCode;
  }

  all(): string[] {
    return [...this.nodes.keys()];
  }
}

export const defaultRewardPolicy: RewardPolicy = [
  {
    skill: { level3: 2000, level2: 4000, level1: 6000 },
    degree: { associate: 2000, bachelor: 4000, master: 6000, doctor: 6000 },
  },
];

export const defaultDeploymentConfig: DeploymentConfig = {
  root: zhongCounty,
  sources: {
    // 县市场监管局: the organisation registry.
    'market.zhongxian': ['organization.registered.v1', 'organization.deregistered.v1'],
    // 县委组织部: party building and representatives.
    'party.zhongxian': [
      'party.organization.established.v1',
      'party.member.developed.v1',
      'party.post.designated.v1',
      'representative.seated.v1',
    ],
    // 县人力社保局: certificates, talent titles, training, disputes handled by HRSS.
    'hrss.zhongxian': [
      'certificate.submitted.v1',
      'certificate.revoked.v1',
      'talent.title.awarded.v1',
      'training.completed.v1',
      'training.base.established.v1',
      'contract.signed.v1',
      'dispute.filed.v1',
      'dispute.mediated.v1',
      'dispute.confirmed.v1',
      'dispute.fulfilled.v1',
    ],
    // 县总工会: unions, awards, competitions, studios, contracts, aid and outreach.
    'union.zhongxian': [
      'union.established.v1',
      'award.granted.v1',
      'competition.entry.recorded.v1',
      'studio.established.v1',
      'innovation.converted.v1',
      'apprenticeship.paired.v1',
      'training.completed.v1',
      'training.base.established.v1',
      'contract.signed.v1',
      'dispute.filed.v1',
      'dispute.mediated.v1',
      'dispute.confirmed.v1',
      'dispute.fulfilled.v1',
      'legal_aid.case.closed.v1',
      'hardship_aid.granted.v1',
      'outreach.conducted.v1',
    ],
    // 县法院: judicial confirmation and court-channel disputes.
    'court.zhongxian': ['dispute.filed.v1', 'dispute.mediated.v1', 'dispute.confirmed.v1', 'dispute.fulfilled.v1'],
    // 县司法局: legal aid and people's mediation.
    'justice.zhongxian': [
      'legal_aid.case.closed.v1',
      'dispute.filed.v1',
      'dispute.mediated.v1',
      'dispute.confirmed.v1',
      'dispute.fulfilled.v1',
    ],
    // 县统计局: opening balances.
    'stats.zhongxian': ['baseline.recorded.v1'],
  },
  rewards: defaultRewardPolicy,
  claims: defaultClaimNames,
};

/**
 * The shape `DEPLOYMENT_CONFIG` must have. Parsed with zod so that a typo
 * fails the cold start naming the field, instead of surfacing later as an
 * event in the dead-letter queue.
 */
const divisionCode = z.string().check(z.regex(/^\d{12}$/, 'a 12-digit division code'));
const divisionNode: z.ZodMiniType<DivisionNode> = z.object({
  code: divisionCode,
  name: z.object({ zh: z.string().check(z.minLength(1)), en: z.string().check(z.minLength(1)) }),
  get children() {
    return z.optional(z.array(divisionNode));
  },
});
const claimName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_:.\/-]{0,127}$/, 'a claim name'));
/** A JSON object whose every value passes `isValue` (z.custom keeps the processor bundle within budget, where z.record would not). */
const objectOf = <T>(isValue: (value: unknown) => value is T, what: string) =>
  z.custom<Record<string, T>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isValue),
    `an object of ${what}`,
  );
const isEventTypeList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isAmounts = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isAmount);
const isPolicy = (value: unknown): value is RewardAmounts & { from?: string } =>
  typeof value === 'object' && value !== null && isAmounts((value as RewardAmounts).skill) && isAmounts((value as RewardAmounts).degree);
const isDay = (value: unknown): value is string => typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(value);
/**
 * One policy (in effect on every date), or dated policies, each `from` later
 * than the one before (the first's may be absent). z.custom, like objectOf:
 * zod's unions and arrays would add to every function's bundle.
 */
const rewardPolicy = z.custom<RewardAmounts | RewardPolicy>(
  (value) =>
    isPolicy(value) ||
    (Array.isArray(value) &&
      value.length > 0 &&
      value.every((entry: unknown, i) => isPolicy(entry) && (i === 0 ? entry.from === undefined || isDay(entry.from) : isDay(entry.from) && ((value[i - 1] as { from?: string }).from ?? '') < entry.from))),
  'one policy {"skill": {…}, "degree": {…}} of amounts in yuan, or a list of them, each "from" (YYYY-MM-DD) after the one before (only the first may leave it out)',
);
const deploymentConfigSchema = z.object({
  root: z.optional(divisionNode),
  sources: z.optional(objectOf(isEventTypeList, 'event type lists')),
  rewards: z.optional(rewardPolicy),
  claims: z.optional(z.object({ role: z.optional(claimName), division: z.optional(claimName), source: z.optional(claimName) })),
});

/** Where a zod issue points, as `DEPLOYMENT_CONFIG.root.children[2].code`. */
function issuePath(variable: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : `${out}.${String(segment)}`), variable);
}

/**
 * Reads the deployment configuration once: `DEPLOYMENT_CONFIG` (JSON) when
 * set, else the built-in Zhong County configuration. Each of its fields
 * (`root`, `sources`, `rewards`, `claims`) may be left out for the built-in
 * one, so that overriding the reward policy or the claim names stays small
 * (a Lambda function's environment holds 4 KB in all).
 *
 * @throws ConfigError naming `DEPLOYMENT_CONFIG` and the failing field when
 * the JSON is malformed or has a wrong value; the scope claim is refused as
 * the division claim (it holds granted scopes).
 */
export function loadDeploymentConfig(env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  const raw = env[deploymentConfigVariable];
  if (raw === undefined || raw === '') return defaultDeploymentConfig;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError(`${deploymentConfigVariable} is not valid JSON`, { cause });
  }
  const result = deploymentConfigSchema.safeParse(parsed);
  if (!result.success) {
    const [issue] = result.error.issues;
    const where = issue === undefined ? deploymentConfigVariable : issuePath(deploymentConfigVariable, issue.path);
    throw new ConfigError(`${where}: ${issue?.code === 'invalid_type' ? `expected ${(issue as { expected: string }).expected}` : (issue?.message ?? 'invalid')}`);
  }
  const { root, sources, rewards, claims } = result.data;
  const claimNames: ClaimNames = { ...defaultClaimNames, ...claims };
  if (claimNames.division === 'scope') {
    throw new ConfigError(`${deploymentConfigVariable}.claims.division: "scope" holds OAuth 2.0 granted scopes (RFC 9068), never a division`);
  }
  return {
    root: root ?? defaultDeploymentConfig.root,
    sources: sources ?? defaultDeploymentConfig.sources,
    rewards: rewards === undefined ? defaultRewardPolicy : Array.isArray(rewards) ? rewards : [rewards],
    claims: claimNames,
  };
}
