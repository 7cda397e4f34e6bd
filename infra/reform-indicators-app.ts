import { App, Validations } from 'aws-cdk-lib';
import type { Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeploymentConfig } from '../packages/config/deployment.ts';
import { ConfigError, deploymentConfigVariable, loadDeploymentConfig } from '../packages/config/deployment.ts';
import { StatefulStack } from './stateful/stateful-stack.ts';
import { defaultMaintenanceMemoryMb, lambdaMemoryMb, StatelessStack } from './stateless/stateless-stack.ts';
import type { FunctionEntries, RequestLimits } from './stateless/stateless-stack.ts';

/**
 * Placeholders that let `cdk synth` run offline. A real deployment passes its
 * identity provider with `-c jwtIssuer=... -c jwtAudience=...` (README, "Deploying to AWS").
 */
export const placeholderJwtIssuer = 'https://idp.example.invalid/reform-indicators';
export const placeholderJwtAudience = 'reform-indicators-api';

/** Deployment settings read from CDK context; every field has an offline default. */
export interface DeploymentSettings {
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  readonly throttleRate: number;
  readonly throttleBurst: number;
  /** Limits of `/v1/admin/...` (rebuild, reconcile, publications): context `adminThrottleRate`, `adminThrottleBurst`. */
  readonly adminThrottle: RequestLimits;
  /** Limits of `GET /v1/analytics`: context `analyticsThrottleRate`, `analyticsThrottleBurst`. */
  readonly analyticsThrottle: RequestLimits;
  readonly producerAccounts: Readonly<Record<string, string>>;
  readonly alarmEmail?: string;
  /**
   * The deployment configuration every function reads (context
   * `deploymentConfig`; the built-in Zhong County one without it): division
   * tree, producer allowlist, reward policy, claim names.
   */
  readonly deploymentConfig: DeploymentConfig;
  /** Its JSON as given, for the functions' `DEPLOYMENT_CONFIG`; absent when the context gives none. */
  readonly deploymentConfigJson?: string;
  /** The maintenance function's memory, MB (context `maintenanceMemoryMb`): how large a Ledger one rebuild can replay. */
  readonly maintenanceMemoryMb: number;
}

/**
 * Most bytes of `deploymentConfig` accepted: Lambda allows 4 KB of
 * environment per function in all, and the tables', queue's and secret's
 * names take up to about a kilobyte of it.
 */
export const maxDeploymentConfigBytes = 3_000;

export class DeploymentSettingsError extends Error {
  override readonly name = 'DeploymentSettingsError';
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new DeploymentSettingsError(`context ${key} must be a string`);
  return value;
}

function contextNumber(app: App, key: string, fallback: number): number {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new DeploymentSettingsError(`context ${key} must be a positive number`);
  return n;
}

/** A function's memory in MB from context: a whole number Lambda allows. */
function contextMemory(app: App, key: string, fallback: number): number {
  const mb = contextNumber(app, key, fallback);
  if (!Number.isInteger(mb) || mb < lambdaMemoryMb.min || mb > lambdaMemoryMb.max) {
    throw new DeploymentSettingsError(`context ${key} must be a whole number of MB from ${lambdaMemoryMb.min} to ${lambdaMemoryMb.max}`);
  }
  return mb;
}

/** `producerAccounts` context: a JSON object (or its string form) of source → 12-digit account id. */
function contextAccounts(app: App, sources: readonly string[]): Record<string, string> {
  const raw: unknown = app.node.tryGetContext('producerAccounts');
  if (raw === undefined) return {};
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (typeof parsed !== 'object' || parsed === null) throw new DeploymentSettingsError('context producerAccounts must be an object');
  const out: Record<string, string> = {};
  for (const [source, account] of Object.entries(parsed)) {
    if (!sources.includes(source)) throw new DeploymentSettingsError(`producerAccounts names unknown source ${source}`);
    if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
      throw new DeploymentSettingsError(`producerAccounts.${source} must be a 12-digit account id`);
    }
    out[source] = account;
  }
  return out;
}

/**
 * `deploymentConfig` context: a JSON object (or its string form) that every
 * function reads as `DEPLOYMENT_CONFIG`, checked here as they will read it,
 * so a wrong field fails `cdk synth` and not the functions' cold starts.
 */
function contextDeploymentConfig(app: App): { config: DeploymentConfig; json?: string } {
  const raw: unknown = app.node.tryGetContext('deploymentConfig');
  if (raw === undefined || raw === null || raw === '') return { config: loadDeploymentConfig({}) };
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch (cause) {
    throw new DeploymentSettingsError('context deploymentConfig is not valid JSON', { cause });
  }
  const json = JSON.stringify(parsed);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxDeploymentConfigBytes) {
    throw new DeploymentSettingsError(
      `context deploymentConfig is ${bytes} bytes, over ${maxDeploymentConfigBytes} (a Lambda function's environment holds 4 KB in all): leave out the fields that keep Zhong County's (root, sources)`,
    );
  }
  try {
    return { config: loadDeploymentConfig({ [deploymentConfigVariable]: json }), json };
  } catch (error) {
    if (error instanceof ConfigError) throw new DeploymentSettingsError(`context deploymentConfig: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Reads the deployment settings from the app's CDK context. */
export function readDeploymentSettings(app: App): DeploymentSettings {
  const alarmEmail = contextString(app, 'alarmEmail');
  const { config, json } = contextDeploymentConfig(app);
  const sources = Object.keys(config.sources);
  return {
    jwtIssuer: contextString(app, 'jwtIssuer') ?? placeholderJwtIssuer,
    jwtAudience: (contextString(app, 'jwtAudience') ?? placeholderJwtAudience).split(',').map((a) => a.trim()).filter((a) => a !== ''),
    throttleRate: contextNumber(app, 'throttleRate', 50),
    throttleBurst: contextNumber(app, 'throttleBurst', 100),
    // Admin calls start 15-minute rebuilds and are rare: one a second is plenty.
    adminThrottle: { rateLimit: contextNumber(app, 'adminThrottleRate', 1), burstLimit: contextNumber(app, 'adminThrottleBurst', 2) },
    analyticsThrottle: {
      rateLimit: contextNumber(app, 'analyticsThrottleRate', 5),
      burstLimit: contextNumber(app, 'analyticsThrottleBurst', 10),
    },
    producerAccounts: contextAccounts(app, sources),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    deploymentConfig: config,
    ...(json === undefined ? {} : { deploymentConfigJson: json }),
    maintenanceMemoryMb: contextMemory(app, 'maintenanceMemoryMb', defaultMaintenanceMemoryMb),
  };
}

/**
 * The deployment region unless context `region` names another: an AWS China
 * region, where a county government's personal data must stay. `cdk.json`
 * sets the same value as context, so it shows where a deploy goes.
 */
export const defaultRegion = 'cn-northwest-1';

/**
 * The stacks' environment. The region is context `region`, else
 * {@link defaultRegion} — never the CLI's `CDK_DEFAULT_REGION`: the CLI sets
 * that variable on every run (from the profile, or us-east-1 when there is
 * none), so a fallback to it would silently send a plain `cdk deploy` to
 * another region. The account stays a deploy-time token unless context
 * `account` or the CLI's profile names it, so synth needs no credentials.
 */
export function deploymentEnvironment(app: App, environment: NodeJS.ProcessEnv): Environment {
  const region = contextString(app, 'region') ?? defaultRegion;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new DeploymentSettingsError('context region must be an AWS region name such as cn-northwest-1');
  const account = contextString(app, 'account') ?? environment['CDK_DEFAULT_ACCOUNT'];
  return account === undefined ? { region } : { account, region };
}

/** Options of {@link buildReformIndicatorsApp}. */
export interface BuildOptions {
  /** Function entries; tests pass fixtures, the real app the handlers. */
  readonly entries?: FunctionEntries;
  /** @default region {@link defaultRegion}, account resolved at deploy time */
  readonly env?: Environment;
}

/** The two stacks, for tests and `infra/app.ts`. */
export interface ReformIndicatorsStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Adds both stacks to `app` and registers cdk-nag's AwsSolutions checks, so
 * every synth (CLI or test) fails on an unacknowledged finding.
 */
export function buildReformIndicatorsApp(app: App, options: BuildOptions = {}): ReformIndicatorsStacks {
  const settings = readDeploymentSettings(app);
  const sources = Object.keys(settings.deploymentConfig.sources);
  const envProps = { env: options.env ?? { region: defaultRegion } };
  const stateful = new StatefulStack(app, 'ReformIndicators-Stateful', {
    description: 'reform-indicators: tables, queues, key and pseudonym secret',
    terminationProtection: true,
    ...envProps,
  });
  const stateless = new StatelessStack(app, 'ReformIndicators-Stateless', {
    description: 'reform-indicators: processor, maintenance, admin API, alarms, producer roles',
    stateful,
    jwt: { issuer: settings.jwtIssuer, audience: settings.jwtAudience },
    throttle: { rateLimit: settings.throttleRate, burstLimit: settings.throttleBurst },
    routeThrottles: { admin: settings.adminThrottle, analytics: settings.analyticsThrottle },
    sources,
    producerAccounts: settings.producerAccounts,
    ...(settings.alarmEmail === undefined ? {} : { alarmEmail: settings.alarmEmail }),
    ...(settings.deploymentConfigJson === undefined ? {} : { deploymentConfigJson: settings.deploymentConfigJson }),
    maintenanceMemoryMb: settings.maintenanceMemoryMb,
    ...(options.entries === undefined ? {} : { entries: options.entries }),
    ...envProps,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, stateless };
}
