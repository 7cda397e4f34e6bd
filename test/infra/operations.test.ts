/**
 * Operations hardening in the synthesised templates: the region, log
 * retention and encryption, reserved concurrency, per-route throttles, the
 * alarm key's and the pseudonym secret's policies, and the dashboard.
 */
import { rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processorEventSource } from '../../packages/config/resources.ts';
import { secretReaderTag } from '../../infra/constructs/house-function.ts';
import { DeploymentSettingsError, defaultRegion, deploymentEnvironment } from '../../infra/reform-indicators-app.ts';
import { adminRouteKey, analyticsRouteKey } from '../../infra/stateless/stateless-stack.ts';
import { rejectionReasons } from '../../packages/contract/index.ts';
import type { Statement, SynthesisedApp } from './synthesised-app.ts';
import { actionsOf, cdkJsonContext, logicalIdOf, resourcesOfType, roleStatements, synthesiseApp } from './synthesised-app.ts';

let synthesised: SynthesisedApp;

beforeAll(() => {
  synthesised = synthesiseApp();
});

afterAll(() => {
  if (synthesised !== undefined) rmSync(synthesised.outdir, { recursive: true, force: true });
});

/** An ARN as CloudFormation renders one whose partition is `AWS::Partition` (aws-cn in a China region). */
const inPartition = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

const propertiesOf = (template: SynthesisedApp['statelessTemplate'], type: string) =>
  resourcesOfType(template, type).map(([id, r]) => [id, r.Properties ?? {}] as const);

describe('region', () => {
  it('is cn-northwest-1 in cdk.json and by default, whatever region the CLI or the profile suggests', () => {
    expect(cdkJsonContext['region']).toBe('cn-northwest-1');
    expect(defaultRegion).toBe('cn-northwest-1');
    const cliEnvironment = { CDK_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '123456789012' };
    expect(deploymentEnvironment(new App(), cliEnvironment)).toEqual({ account: '123456789012', region: 'cn-northwest-1' });
    expect(deploymentEnvironment(new App({ context: cdkJsonContext }), cliEnvironment).region).toBe('cn-northwest-1');
  });

  it('can be changed only by context, and must look like a region', () => {
    expect(deploymentEnvironment(new App({ context: { region: 'cn-north-1' } }), {}).region).toBe('cn-north-1');
    expect(() => deploymentEnvironment(new App({ context: { region: 'beijing' } }), {})).toThrow(DeploymentSettingsError);
  });

  it('is what both stacks are synthesised for, with ARNs that follow the partition (aws-cn there)', () => {
    expect(synthesised.stateful.region).toBe('cn-northwest-1');
    expect(synthesised.stateless.region).toBe('cn-northwest-1');
    expect(synthesised.stateless.resolve(synthesised.stateless.partition)).toEqual({ Ref: 'AWS::Partition' });
    for (const template of [synthesised.statefulTemplate, synthesised.statelessTemplate]) {
      expect(JSON.stringify(template.toJSON())).not.toMatch(/arn:aws:|us-east-1/);
    }
  });
});

describe('log groups', () => {
  it('all keep at least 180 days, survive the stack, and are encrypted with the logs key', () => {
    const { stateful, stateless, statelessTemplate, statefulTemplate } = synthesised;
    expect(propertiesOf(statefulTemplate, 'AWS::Logs::LogGroup')).toEqual([]);
    const groups = resourcesOfType(statelessTemplate, 'AWS::Logs::LogGroup');
    // Three function log groups and the API access logs.
    expect(groups).toHaveLength(4);
    for (const [id, group] of groups) {
      expect(group.Properties?.['RetentionInDays'], id).toBeGreaterThanOrEqual(180);
      expect(group.Properties?.['KmsKeyId'], id).toEqual(stateless.resolve(stateful.logsKey.keyArn));
      expect((group as { DeletionPolicy?: string }).DeletionPolicy, id).toBe('Retain');
    }
  });

  it('use a retained, rotated key that CloudWatch Logs may use only for this account’s log groups in the region', () => {
    const { stateful, statefulTemplate } = synthesised;
    const key = statefulTemplate.toJSON()['Resources'][logicalIdOf(stateful, stateful.logsKey)];
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const forLogs = (key.Properties.KeyPolicy.Statement as Statement[]).filter((s) => JSON.stringify(s.Principal).includes('logs.'));
    expect(forLogs).toHaveLength(1);
    expect(forLogs[0]?.Principal).toEqual({ Service: { 'Fn::Join': ['', ['logs.cn-northwest-1.', { Ref: 'AWS::URLSuffix' }]] } });
    expect(forLogs[0]?.Condition).toEqual({
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': inPartition(':logs:cn-northwest-1:123456789012:log-group:*') },
    });
  });
});

describe('concurrency and throttles', () => {
  const functionProps = (name: 'processor' | 'maintenance' | 'api') => {
    const { stateless, statelessTemplate } = synthesised;
    return statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, stateless[name].function)].Properties;
  };

  it('reserve exactly one concurrent maintenance run', () => {
    expect(functionProps('maintenance').ReservedConcurrentExecutions).toBe(1);
  });

  it('reserve for the processor what its event source mapping may use', () => {
    const [[, mapping]] = resourcesOfType(synthesised.statelessTemplate, 'AWS::Lambda::EventSourceMapping') as unknown as [[string, { Properties: Record<string, any> }]];
    expect(mapping.Properties['ScalingConfig']).toEqual({ MaximumConcurrency: processorEventSource.maxConcurrency });
    expect(functionProps('processor').ReservedConcurrentExecutions).toBe(processorEventSource.maxConcurrency);
  });

  it('throttle the admin routes and analytics on their own, below the stage limits', () => {
    const [[, stage]] = propertiesOf(synthesised.statelessTemplate, 'AWS::ApiGatewayV2::Stage') as unknown as [[string, Record<string, any>]];
    expect(stage['RouteSettings']).toEqual({
      [adminRouteKey]: { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2 },
      [analyticsRouteKey]: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    expect(stage['DefaultRouteSettings']).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const routeKeys = propertiesOf(synthesised.statelessTemplate, 'AWS::ApiGatewayV2::Route').map(([, r]) => r['RouteKey']);
    expect(routeKeys).toEqual(expect.arrayContaining([adminRouteKey, analyticsRouteKey]));
  });

  it('take their limits from context', () => {
    const custom = synthesiseApp({ adminThrottleRate: 3, adminThrottleBurst: 4 });
    try {
      const [[, stage]] = propertiesOf(custom.statelessTemplate, 'AWS::ApiGatewayV2::Stage') as unknown as [[string, Record<string, any>]];
      expect(stage['RouteSettings'][adminRouteKey]).toEqual({ ThrottlingRateLimit: 3, ThrottlingBurstLimit: 4 });
    } finally {
      rmSync(custom.outdir, { recursive: true, force: true });
    }
  });
});

describe('alarm topic key', () => {
  it('lets CloudWatch use it only for this account’s alarms', () => {
    const { stateless, statelessTemplate } = synthesised;
    const keys = resourcesOfType(statelessTemplate, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    const statements = keys[0]![1].Properties?.['KeyPolicy'] as { Statement: Statement[] };
    const forCloudWatch = statements.Statement.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'));
    expect(forCloudWatch).toHaveLength(1);
    expect(forCloudWatch[0]?.Condition?.['StringEquals']).toEqual({ 'aws:SourceAccount': '123456789012' });
    expect(forCloudWatch[0]?.Condition?.['ArnLike']).toEqual({ 'aws:SourceArn': inPartition(':cloudwatch:cn-northwest-1:123456789012:alarm:*') });
    expect(stateless.account).toBe('123456789012');
  });
});

describe('pseudonym secret', () => {
  const resourcePolicy = (): Statement[] => {
    const policies = propertiesOf(synthesised.statefulTemplate, 'AWS::SecretsManager::ResourcePolicy');
    expect(policies).toHaveLength(1);
    const [, properties] = policies[0]!;
    expect(properties['SecretId']).toEqual({ Ref: logicalIdOf(synthesised.stateful, synthesised.stateful.pseudonymSecret) });
    return (properties['ResourcePolicy'] as { Statement: Statement[] }).Statement;
  };

  it('denies reading to every principal without the reader tag, and to other accounts', () => {
    const statements = resourcePolicy();
    expect(statements.every((s) => s.Effect === 'Deny' && JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' }))).toBe(true);
    for (const s of statements) expect(actionsOf(s)).toContain('secretsmanager:GetSecretValue');
    expect(statements.map((s) => s.Condition)).toEqual([
      { StringNotEquals: { [`aws:PrincipalTag/${secretReaderTag.key}`]: secretReaderTag.value } },
      { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } },
    ]);
  });

  it('is readable by exactly the roles allowed GetSecretValue, each tagged, and by no producer role', () => {
    const { statelessTemplate } = synthesised;
    const roles = resourcesOfType(statelessTemplate, 'AWS::IAM::Role');
    const readers = roles.filter(([id]) =>
      roleStatements(statelessTemplate, id).statements.some((s) => s.Effect === 'Allow' && actionsOf(s).includes('secretsmanager:GetSecretValue')),
    );
    const tagged = roles.filter(([, role]) =>
      ((role.Properties?.['Tags'] ?? []) as { Key: string; Value: string }[]).some((t) => t.Key === secretReaderTag.key && t.Value === secretReaderTag.value),
    );
    expect(readers.map(([id]) => id)).toContain(logicalIdOf(synthesised.stateless, synthesised.stateless.processor.role));
    expect(tagged.map(([id]) => id).sort()).toEqual(readers.map(([id]) => id).sort());
    for (const role of synthesised.stateless.producerRoles.values()) {
      expect(tagged.map(([id]) => id)).not.toContain(logicalIdOf(synthesised.stateless, role));
    }
  });
});

describe('functions', () => {
  it('never log the raw incoming event', () => {
    for (const [id, fn] of propertiesOf(synthesised.statelessTemplate, 'AWS::Lambda::Function')) {
      const variables = (fn['Environment'] as { Variables: Record<string, string> }).Variables;
      expect(variables['POWERTOOLS_LOGGER_LOG_EVENT'], id).toBeUndefined();
    }
  });
});

describe('dashboard', () => {
  const body = (): string => {
    const dashboards = propertiesOf(synthesised.statelessTemplate, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    return JSON.stringify(dashboards[0]![1]['DashboardBody']);
  };

  it('shows events accepted, duplicate and rejected by every reason', () => {
    const text = body();
    for (const metric of ['accepted', 'duplicate', ...rejectionReasons.map((r) => `rejected_${r}`)]) {
      expect(text).toContain(`\\"ReformIndicators\\",\\"${metric}\\",\\"service\\",\\"processor\\"`);
    }
    expect(text).toContain('Rejected events by reason');
  });

  it('shows queue age, dead-letter depth, processor duration and errors, API latency and 4xx/5xx', () => {
    const text = body();
    for (const metric of [
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      '\\"AWS/Lambda\\",\\"Duration\\"',
      '\\"AWS/Lambda\\",\\"Errors\\"',
      '\\"AWS/ApiGateway\\",\\"Latency\\"',
      '\\"AWS/ApiGateway\\",\\"4xx\\"',
      '\\"AWS/ApiGateway\\",\\"5xx\\"',
    ]) {
      expect(text).toContain(metric);
    }
  });
});
