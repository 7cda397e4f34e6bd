/**
 * Synthesises the real stacks once, with stand-in handler entries so the
 * infrastructure tests neither depend on nor bundle the functions' code, and
 * offers readers for the parts of the templates the tests reason about.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildReformIndicatorsApp } from '../../infra/reform-indicators-app.ts';
import type { ReformIndicatorsStacks } from '../../infra/reform-indicators-app.ts';

export const fixtureEntry = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));

/** The context `cdk.json` gives the CLI, so tests synthesise what `cdk synth` would. */
export const cdkJsonContext = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8')) as { context: Record<string, unknown> }
).context;

export interface SynthesisedApp extends ReformIndicatorsStacks {
  /** Cloud assembly directory; remove it when done. */
  readonly outdir: string;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
  /** Contents of the cloud assembly's `validation-report.json` (cdk-nag's findings). */
  readonly validationReport: ValidationReport;
}

export interface ReportedViolation {
  readonly ruleName: string;
  readonly severity: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
  readonly acknowledgedId?: string;
  readonly reason?: string;
}

export interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: readonly ReportedViolation[];
    readonly suppressedViolations?: readonly ReportedViolation[];
  }[];
}

/** Builds and synthesises the app; `context` stands in for `-c key=value` on top of `cdk.json`. */
export function synthesiseApp(context: Record<string, unknown> = {}): SynthesisedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'reform-indicators-cdk-'));
  const app = new App({ outdir, context: { ...cdkJsonContext, ...context } });
  const stacks = buildReformIndicatorsApp(app, {
    entries: { processor: fixtureEntry, api: fixtureEntry, maintenance: fixtureEntry },
    env: { account: '123456789012', region: 'cn-northwest-1' },
  });
  // Throws on any unacknowledged cdk-nag error; warnings land only in the report.
  const assembly = app.synth();
  return {
    ...stacks,
    outdir,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
    validationReport: JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport,
  };
}

/** One IAM policy statement as CloudFormation renders it. */
export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The logical id of an L2 construct's CloudFormation resource. */
export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (child === undefined) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(child as Parameters<Stack['getLogicalId']>[0]);
}

/**
 * Every statement granted to a role: its inline policies plus each
 * AWS::IAM::Policy attached to it. Managed policies are returned separately
 * so a test can insist there are none.
 */
export function roleStatements(template: Template, roleLogicalId: string): { statements: Statement[]; managedPolicyArns: unknown[] } {
  const resources = template.toJSON()['Resources'] as Record<string, CfnResource>;
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role`);
  const statements: Statement[] = [];
  for (const inline of (role.Properties?.['Policies'] ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
    statements.push(...inline.PolicyDocument.Statement);
  }
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.['Roles'] ?? []) as unknown[];
    if (!roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))) continue;
    statements.push(...(resource.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement);
  }
  return { statements, managedPolicyArns: (role.Properties?.['ManagedPolicyArns'] ?? []) as unknown[] };
}

/** The actions allowed on exactly `resource` (a resolved token such as an Fn::ImportValue). */
export function actionsAllowedOn(statements: readonly Statement[], resource: unknown): Set<string> {
  const key = JSON.stringify(resource);
  const out = new Set<string>();
  for (const s of statements) {
    if (s.Effect !== 'Allow') continue;
    if (resourcesOf(s).some((r) => JSON.stringify(r) === key)) for (const a of actionsOf(s)) out.add(a);
  }
  return out;
}

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.toJSON()['Resources'] as Record<string, CfnResource>).filter(([, r]) => r.Type === type);
}
