/**
 * Deployment configuration: the division tree, which producer may send which
 * event types, and the reward policy. The contract calls these "deployment
 * configuration, not events". The default is Zhong County's; a deployment can
 * replace it with the JSON in `DEPLOYMENT_CONFIG`.
 */
import { zhongCounty } from './zhong-county.ts';

export interface DivisionNode {
  readonly code: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly children?: readonly DivisionNode[];
}

/** Reward in yuan per (certificate kind, level); levels absent earn nothing. */
export interface RewardPolicy {
  readonly skill: Readonly<Record<string, number>>;
  readonly degree: Readonly<Record<string, number>>;
}

export interface DeploymentConfig {
  readonly root: DivisionNode;
  /** source → event types it may send (exact type names, e.g. `certificate.submitted.v1`). */
  readonly sources: Readonly<Record<string, readonly string[]>>;
  readonly rewards: RewardPolicy;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
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

export const defaultRewardPolicy: RewardPolicy = {
  skill: { level3: 2000, level2: 4000, level1: 6000 },
  degree: { associate: 2000, bachelor: 4000, master: 6000, doctor: 6000 },
};

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
};

/**
 * Reads the deployment configuration once: `DEPLOYMENT_CONFIG` (JSON) when
 * set, else the built-in Zhong County configuration. Fails fast on bad JSON.
 */
export function loadDeploymentConfig(env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  const raw = env['DEPLOYMENT_CONFIG'];
  if (raw === undefined || raw === '') return defaultDeploymentConfig;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError('DEPLOYMENT_CONFIG is not valid JSON', { cause });
  }
  const config = parsed as Partial<DeploymentConfig>;
  if (config.root === undefined || config.sources === undefined) {
    throw new ConfigError('DEPLOYMENT_CONFIG needs "root" (division tree) and "sources" (allowlist)');
  }
  return { root: config.root, sources: config.sources, rewards: config.rewards ?? defaultRewardPolicy };
}
