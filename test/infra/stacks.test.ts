import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { applyEventsTableActions, readTableActions } from '../../infra/constructs/house-function.ts';
import { fencePartition, maintenanceLeaseMarginMs, maintenanceLeaseMs } from '../../packages/config/resources.ts';
import { countersTable, eventsQueue, processorEventSource, processorTimeoutSeconds, tables } from '../../packages/config/resources.ts';
import { DeploymentSettingsError, readDeploymentSettings } from '../../infra/reform-indicators-app.ts';
import { defaultFunctionEntries, maintenanceFunctionNameEnvVar } from '../../infra/stateless/stateless-stack.ts';
import { maintenanceEnv } from '../../functions/api/dependencies.ts';
import { defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { functionEntries } from '../bench/bundle-size.ts';
import type { Statement, SynthesisedApp } from './synthesised-app.ts';
import {
  actionsAllowedOn,
  actionsOf,
  logicalIdOf,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  synthesiseApp,
} from './synthesised-app.ts';

const writeActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];
const sources = Object.keys(defaultDeploymentConfig.sources);

let synthesised: SynthesisedApp;

beforeAll(() => {
  synthesised = synthesiseApp({
    jwtIssuer: 'https://idp.test.invalid/realms/zhongxian',
    jwtAudience: 'reform-indicators-api, reform-indicators-cli',
    throttleRate: 20,
    throttleBurst: 40,
    producerAccounts: { 'hrss.zhongxian': '210987654321' },
  });
});

afterAll(() => {
  if (synthesised !== undefined) rmSync(synthesised.outdir, { recursive: true, force: true });
});

function tableArnInStateless(name: 'ledger' | 'state' | 'counters' | 'publications' | 'targets'): unknown {
  return synthesised.stateless.resolve(synthesised.stateful[name].table.tableArn);
}

type FunctionName = 'processor' | 'api' | 'maintenance';
const functionNames: readonly FunctionName[] = ['processor', 'api', 'maintenance'];

function statementsOfRole(role: FunctionName): Statement[] {
  const { stateless, statelessTemplate } = synthesised;
  const { statements, managedPolicyArns } = roleStatements(statelessTemplate, logicalIdOf(stateless, stateless[role].role));
  expect(managedPolicyArns).toEqual([]);
  return statements;
}

describe('cdk-nag AwsSolutions', () => {
  it('leaves no unacknowledged finding of any severity', () => {
    const nag = synthesised.validationReport.pluginReports.filter((r) => r.pluginName === 'AwsSolutions');
    expect(nag).toHaveLength(1);
    const open = nag.flatMap((r) => r.violations).map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`);
    expect(open).toEqual([]);
    expect(nag[0]?.conclusion).toBe('success');
  });

  it('acknowledges only the expected rules, each with a specific reason', () => {
    const suppressed = synthesised.validationReport.pluginReports.flatMap((r) => r.suppressedViolations ?? []);
    expect(new Set(suppressed.map((v) => v.ruleName))).toEqual(
      new Set(['AwsSolutions-L1', 'AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-SMG4', 'AwsSolutions-APIG4']),
    );
    for (const v of suppressed) expect(v.reason?.length ?? 0, v.ruleName).toBeGreaterThan(60);
    // The wildcard acknowledgement must cover nothing but the X-Ray statement.
    for (const role of functionNames) {
      const wildcard = statementsOfRole(role).filter((s) => resourcesOf(s).includes('*'));
      expect(wildcard.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });
});

describe('processor role', () => {
  it('has exactly the apply-events actions on each of its three tables', () => {
    const statements = statementsOfRole('processor');
    for (const table of ['ledger', 'state', 'counters'] as const) {
      expect([...actionsAllowedOn(statements, tableArnInStateless(table))].sort(), table).toEqual([...applyEventsTableActions].sort());
    }
  });

  it('can neither Scan nor delete, and writes nothing but its tables', () => {
    const statements = statementsOfRole('processor');
    const actions = statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:DeleteTable');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions.filter((a) => a.includes('*') && a.startsWith('dynamodb:'))).toEqual([]);
    const ownTables = new Set(['ledger', 'state', 'counters'].map((t) => JSON.stringify(tableArnInStateless(t as 'ledger'))));
    for (const s of statements) {
      if (!actionsOf(s).some((a) => writeActions.includes(a))) continue;
      for (const r of resourcesOf(s)) expect(ownTables.has(JSON.stringify(r)), JSON.stringify(r)).toBe(true);
    }
  });

  it('may read the pseudonym secret and nothing else in Secrets Manager', () => {
    const statements = statementsOfRole('processor');
    const secretArn = synthesised.stateless.resolve(synthesised.stateful.pseudonymSecret.secretArn);
    const secretStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
    expect(secretStatements.flatMap(resourcesOf)).toEqual([secretArn]);
  });
});

describe('API role', () => {
  it('reads Counters, Ledger and State without Scan, and writes nothing but PutItem on the Ledger (edge rejections)', () => {
    const statements = statementsOfRole('api');
    for (const table of ['counters', 'state'] as const) {
      expect([...actionsAllowedOn(statements, tableArnInStateless(table))].sort(), table).toEqual([...readTableActions].sort());
    }
    expect([...actionsAllowedOn(statements, tableArnInStateless('ledger'))].sort()).toEqual([...readTableActions, 'dynamodb:PutItem'].sort());
    // Targets are the API's own to set and remove (test/infra/publications.test.ts); nowhere else may it write more.
    const targetsArn = JSON.stringify(tableArnInStateless('targets'));
    const dynamodbActions = statements.filter((s) => !resourcesOf(s).every((r) => JSON.stringify(r) === targetsArn)).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    for (const a of [...writeActions.filter((w) => w !== 'dynamodb:PutItem'), 'dynamodb:Scan', 'dynamodb:DeleteTable']) expect(dynamodbActions).not.toContain(a);
  });

  it('may only send to the events queue', () => {
    const statements = statementsOfRole('api');
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
    expect(sqs.flatMap(resourcesOf)).toEqual([synthesised.stateless.resolve(synthesised.stateful.eventsQueue.queueArn)]);
  });
});

describe('maintenance role', () => {
  it('may Scan the Ledger, update only its fence and batch-write chunk markers there, and Scan and batch-rewrite Counters and State', () => {
    const statements = statementsOfRole('maintenance');
    expect([...actionsAllowedOn(statements, tableArnInStateless('ledger'))].sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
    const ledger = JSON.stringify(tableArnInStateless('ledger'));
    const updates = statements.filter((s) => actionsOf(s).includes('dynamodb:UpdateItem') && resourcesOf(s).some((r) => JSON.stringify(r) === ledger));
    expect(updates.map((s) => s.Condition)).toEqual([{ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [fencePartition] } }]);
    expect(statements.filter((s) => resourcesOf(s).some((r) => JSON.stringify(r) === ledger)).flatMap(actionsOf)).not.toContain('dynamodb:PutItem');
    expect([...actionsAllowedOn(statements, tableArnInStateless('state'))].sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Scan']);
    // Counters are also read for publishing (the figures an edition freezes).
    expect([...actionsAllowedOn(statements, tableArnInStateless('counters'))].sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan'],
    );
  });

  it('has no DynamoDB action on anything but those three tables and Publications, and no wildcard action', () => {
    const statements = statementsOfRole('maintenance');
    const ownTables = new Set((['ledger', 'state', 'counters', 'publications'] as const).map((t) => JSON.stringify(tableArnInStateless(t))));
    for (const s of statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))) {
      for (const r of resourcesOf(s)) expect(ownTables.has(JSON.stringify(r)), JSON.stringify(r)).toBe(true);
    }
    expect(statements.flatMap(actionsOf).filter((a) => a.includes('*'))).toEqual([]);
  });

  it('uses the data key, and nothing in Secrets Manager, SQS or Lambda', () => {
    const statements = statementsOfRole('maintenance');
    const keyArn = JSON.stringify(synthesised.stateless.resolve(synthesised.stateful.dataKey.keyArn));
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap(resourcesOf).map((r) => JSON.stringify(r))).toEqual([keyArn]);
    expect(kms.flatMap(actionsOf)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey']));
    const services = new Set(statements.flatMap(actionsOf).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs', 'xray']);
  });

  it('gets the table names, 15 minutes and 1 GB, and no pseudonym secret', () => {
    const { statelessTemplate, stateless, stateful } = synthesised;
    const props = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, stateless.maintenance.function)].Properties;
    expect(props.Timeout).toBe(900);
    // A run that dies without resuming processing leaves it paused until its lease is over: never before the run can have ended.
    expect(props.Timeout * 1000).toBeLessThan(maintenanceLeaseMs);
    // A run stops itself once less than the margin is left of its lease (for the local stack, which has no timeout): never before the function's own timeout.
    expect(props.Timeout * 1000).toBeLessThanOrEqual(maintenanceLeaseMs - maintenanceLeaseMarginMs);
    expect(props.MemorySize).toBe(1024);
    const variables = props.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(
      ['COUNTERS_TABLE', 'LEDGER_TABLE', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'PUBLICATIONS_TABLE', 'STATE_TABLE'],
    );
    expect(variables['POWERTOOLS_SERVICE_NAME']).toBe('maintenance');
    expect(variables['LEDGER_TABLE']).toEqual(stateless.resolve(stateful.ledger.table.tableName));
  });

  it('is the only role in the stack that may Scan, delete or batch-write (the API deletes targets only)', () => {
    const { statelessTemplate, stateless } = synthesised;
    const maintenanceRole = logicalIdOf(stateless, stateless.maintenance.role);
    const targetsArn = JSON.stringify(tableArnInStateless('targets'));
    const holders = resourcesOfType(statelessTemplate, 'AWS::IAM::Role')
      .map(([id]) => id)
      .filter((id) =>
        roleStatements(statelessTemplate, id)
          .statements.filter((s) => s.Effect === 'Allow' && !resourcesOf(s).every((r) => JSON.stringify(r) === targetsArn))
          .flatMap(actionsOf)
          .some((a) => ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'].includes(a)),
      );
    expect(holders).toEqual([maintenanceRole]);
  });
});

describe('API and maintenance', () => {
  it('let the API invoke the maintenance function and nothing else in Lambda', () => {
    const { stateless } = synthesised;
    const lambda = statementsOfRole('api').filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(lambda.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    expect(lambda.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [logicalIdOf(stateless, stateless.maintenance.function), 'Arn'] }]);
  });

  it('let no other role invoke any function', () => {
    const { statelessTemplate, stateless } = synthesised;
    const apiRole = logicalIdOf(stateless, stateless.api.role);
    for (const [id] of resourcesOfType(statelessTemplate, 'AWS::IAM::Role')) {
      if (id === apiRole) continue;
      const actions = roleStatements(statelessTemplate, id).statements.flatMap(actionsOf);
      expect(actions.filter((a) => a.startsWith('lambda:')), id).toEqual([]);
    }
  });

  it('name the maintenance function to the API under the variable the API reads', () => {
    const { statelessTemplate, stateless } = synthesised;
    expect(maintenanceFunctionNameEnvVar).toBe(maintenanceEnv.functionName);
    const variables = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, stateless.api.function)].Properties.Environment.Variables;
    expect(variables[maintenanceEnv.functionName]).toEqual({ Ref: logicalIdOf(stateless, stateless.maintenance.function) });
    expect(variables['MAINTENANCE_MODE']).toBeUndefined();
  });

  it('output the maintenance function name and the processor’s event source mapping id', () => {
    const { statelessTemplate, stateless } = synthesised;
    const outputs = statelessTemplate.toJSON()['Outputs'] as Record<string, { Value: unknown }>;
    expect(outputs['MaintenanceFunctionName']?.Value).toEqual({ Ref: logicalIdOf(stateless, stateless.maintenance.function) });
    const [mappingId] = resourcesOfType(statelessTemplate, 'AWS::Lambda::EventSourceMapping').map(([id]) => id);
    expect(outputs['ProcessorEventSourceMappingId']?.Value).toEqual({ Ref: mappingId });
  });
});

describe('queues', () => {
  it('deny every request without TLS on every queue', () => {
    const { statefulTemplate } = synthesised;
    const queues = resourcesOfType(statefulTemplate, 'AWS::SQS::Queue').map(([id]) => id);
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const queue of queues) {
      const policies = resourcesOfType(statefulTemplate, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
        JSON.stringify(p.Properties?.['Queues']).includes(JSON.stringify({ Ref: queue })),
      );
      const denies = policies
        .flatMap(([, p]) => (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement)
        .filter((s) => s.Effect === 'Deny' && s.Condition?.['Bool']?.['aws:SecureTransport'] === 'false');
      expect(denies.flatMap(actionsOf), queue).toContain('sqs:*');
    }
  });

  it('give the events queue at least six processor timeouts of visibility, deliveries that outlast two maintenance pauses back to back, and a DLQ', () => {
    const { statefulTemplate, statelessTemplate, stateful, stateless } = synthesised;
    const queue = statefulTemplate.toJSON()['Resources'][logicalIdOf(stateful, stateful.eventsQueue)].Properties;
    const fn = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, stateless.processor.function)].Properties;
    expect(fn.Timeout).toBe(processorTimeoutSeconds);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Timeout);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(stateful, stateful.eventsDeadLetterQueue), 'Arn'] },
      maxReceiveCount: eventsQueue.maxReceiveCount,
    });
    // A batch that finds processing paused goes back to the queue: its events' deliveries must outlast two of the longest pauses
    // (their leases) back to back — a rebuild that timed out, run again at once — with a delivery to spare.
    expect((eventsQueue.maxReceiveCount - 2) * queue.VisibilityTimeout * 1000).toBeGreaterThan(2 * maintenanceLeaseMs);
  });
});

describe('processor event source', () => {
  it('reports batch item failures and bounds concurrency', () => {
    const { statelessTemplate, stateless, stateful } = synthesised;
    statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stateless, stateless.processor.function) },
      EventSourceArn: stateless.resolve(stateful.eventsQueue.queueArn),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: processorEventSource.batchSize,
      MaximumBatchingWindowInSeconds: processorEventSource.maxBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });
});

describe('tables', () => {
  it('match infra/definitions.ts and have PITR, deletion protection and the data key', () => {
    const { statefulTemplate, stateful } = synthesised;
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(stateful, stateful.dataKey), 'Arn'] };
    expect(stateful.tables.map((t) => t.definition)).toEqual([...tables]);
    for (const { definition, table } of stateful.tables) {
      const props = statefulTemplate.toJSON()['Resources'][logicalIdOf(stateful, table)].Properties;
      const keys = [definition.partitionKey, ...(definition.sortKey === undefined ? [] : [definition.sortKey])];
      expect(props.KeySchema, definition.name).toEqual(
        keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      );
      const indexKeys = (definition.indexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]);
      expect(props.AttributeDefinitions).toEqual([...keys, ...indexKeys].map((k) => ({ AttributeName: k.name, AttributeType: k.type })));
      // The Ledger's explain indexes: keys and the attributes they copy, as defined.
      expect(props.GlobalSecondaryIndexes ?? [], definition.name).toEqual(
        (definition.indexes ?? []).map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
        })),
      );
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      expect(props.Replicas).toHaveLength(1);
      expect(props.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(props.Replicas[0].DeletionProtectionEnabled).toBe(true);
      expect(props.Replicas[0].SSESpecification).toEqual({ KMSMasterKeyId: keyArn });
      // Time to live only where defined: the Ledger's, which only the tries of events naming an unregistered organisation carry.
      expect(props.TimeToLiveSpecification, definition.name).toEqual(
        definition.timeToLiveAttribute === undefined ? undefined : { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      );
    }
    expect(tables.filter((t) => t.timeToLiveAttribute !== undefined).map((t) => [t.name, t.timeToLiveAttribute])).toEqual([['Ledger', 'expiresAt']]);
    // Every table in the template is one of the definitions: no stray table without PITR.
    expect(resourcesOfType(statefulTemplate, 'AWS::DynamoDB::GlobalTable')).toHaveLength(tables.length);
    expect(resourcesOfType(statefulTemplate, 'AWS::DynamoDB::Table')).toEqual([]);
  });

  it('are named to the functions through the definitions’ environment variables', () => {
    const { statelessTemplate, stateless, stateful } = synthesised;
    // Each function learns the tables it is bound to: the event tables all three, Publications and Targets those that use them.
    const eventTables = stateful.tables.filter((t) => [stateful.ledger, stateful.state, stateful.counters].includes(t));
    for (const fn of [stateless.processor, stateless.api, stateless.maintenance]) {
      const variables = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, fn.function)].Properties.Environment.Variables;
      for (const { definition, table } of eventTables) {
        expect(variables[definition.envVar], definition.envVar).toEqual(stateless.resolve(table.tableName));
      }
    }
    expect(countersTable.envVar).toBe('COUNTERS_TABLE');
  });
});

describe('functions', () => {
  it('run Node.js 22 on ARM64 with tracing and a log group with retention', () => {
    const { statelessTemplate, stateless } = synthesised;
    for (const fn of [stateless.processor, stateless.api, stateless.maintenance]) {
      const props = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, fn.function)].Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.LoggingConfig.LogGroup).toEqual({ Ref: logicalIdOf(stateless, fn.logGroup) });
      expect(props.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('ReformIndicators');
      const logGroup = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, fn.logGroup)].Properties;
      expect(logGroup.RetentionInDays).toBeGreaterThanOrEqual(180);
    }
  });

  it('give the processor and the API the pseudonym secret ARN (the API keys its edge rejection records), and the API the queue URL', () => {
    const { statelessTemplate, stateless, stateful } = synthesised;
    const env = (fn: 'processor' | 'api') =>
      statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, stateless[fn].function)].Properties.Environment.Variables;
    expect(env('processor').PSEUDONYM_SECRET_ARN).toEqual(stateless.resolve(stateful.pseudonymSecret.secretArn));
    expect(env('processor').UNKNOWN_ORG_MAX_ATTEMPTS).toBe('3');
    expect(env('api').EVENTS_QUEUE_URL).toEqual(stateless.resolve(stateful.eventsQueue.queueUrl));
    expect(env('api').PSEUDONYM_SECRET_ARN).toEqual(stateless.resolve(stateful.pseudonymSecret.secretArn));
  });
});

describe('HTTP API', () => {
  it('routes /v1 through the JWT authorizer built from context', () => {
    const { statelessTemplate } = synthesised;
    statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://idp.test.invalid/realms/zhongxian',
        Audience: ['reform-indicators-api', 'reform-indicators-cli'],
      },
    });
    const routes = resourcesOfType(statelessTemplate, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r?.['RouteKey']).sort()).toEqual(['ANY /v1/admin/{proxy+}', 'ANY /v1/{proxy+}', 'GET /v1/analytics', 'GET /v1/health', 'GET /v1/openapi.json']);
    // Only health and the OpenAPI document (public by contract) skip the authorizer.
    for (const route of routes) {
      const key = String(route?.['RouteKey']);
      expect(route?.['AuthorizationType'], key).toBe(key === 'GET /v1/health' || key === 'GET /v1/openapi.json' ? 'NONE' : 'JWT');
    }
  });

  it('logs access without source IPs and throttles the stage', () => {
    const { statelessTemplate } = synthesised;
    const stages = resourcesOfType(statelessTemplate, 'AWS::ApiGatewayV2::Stage').map(([, s]) => s.Properties);
    expect(stages).toHaveLength(1);
    const stage = stages[0] as Record<string, any>;
    expect(stage['StageName']).toBe('$default');
    expect(stage['DefaultRouteSettings']).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    const [logGroupId, attribute] = stage['AccessLogSettings'].DestinationArn['Fn::GetAtt'] as [string, string];
    expect(attribute).toBe('Arn');
    const logGroup = statelessTemplate.toJSON()['Resources'][logGroupId];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThanOrEqual(180);
    const format = JSON.parse(stage['AccessLogSettings'].Format as string) as Record<string, string>;
    expect(format['requestId']).toBe('$context.requestId');
    expect(Object.values(format)).not.toContain('$context.identity.sourceIp');
  });
});

describe('alarms', () => {
  it('fire on any message in the dead-letter queue', () => {
    const { statelessTemplate, stateless, stateful } = synthesised;
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stateless.resolve(stateful.eventsDeadLetterQueue.queueName) }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalIdOf(stateless, stateless.alarmTopic) }],
    });
  });

  it('fire on any processor error', () => {
    const { statelessTemplate, stateless } = synthesised;
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stateless, stateless.processor.function) } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalIdOf(stateless, stateless.alarmTopic) }],
    });
  });

  it('fire on any maintenance error', () => {
    const { statelessTemplate, stateless } = synthesised;
    statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stateless, stateless.maintenance.function) } }],
      Threshold: 0,
      AlarmActions: [{ Ref: logicalIdOf(stateless, stateless.alarmTopic) }],
    });
  });

  it('publish to an encrypted topic that refuses plain HTTP', () => {
    const { statelessTemplate, stateless } = synthesised;
    const topic = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, stateless.alarmTopic)].Properties;
    expect(topic.KmsMasterKeyId).toBeDefined();
    statelessTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('producer roles', () => {
  it('exist once per configured source and may only send to the events queue', () => {
    const { statelessTemplate, stateless, stateful } = synthesised;
    expect([...stateless.producerRoles.keys()].sort()).toEqual([...sources].sort());
    const queueArn = JSON.stringify(stateless.resolve(stateful.eventsQueue.queueArn));
    const keyArn = JSON.stringify(stateless.resolve(stateful.dataKey.keyArn));
    for (const [source, role] of stateless.producerRoles) {
      const { statements, managedPolicyArns } = roleStatements(statelessTemplate, logicalIdOf(stateless, role));
      expect(managedPolicyArns).toEqual([]);
      for (const s of statements) {
        for (const a of actionsOf(s)) expect(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'kms:GenerateDataKey', 'kms:Decrypt'], source).toContain(a);
        for (const r of resourcesOf(s)) expect([queueArn, keyArn], source).toContain(JSON.stringify(r));
      }
    }
  });

  it('trust the account named in context for that source, else the deployment account', () => {
    const { statelessTemplate, stateless } = synthesised;
    const principalOf = (source: string): string => {
      const role = stateless.producerRoles.get(source);
      if (role === undefined) throw new Error(source);
      const props = statelessTemplate.toJSON()['Resources'][logicalIdOf(stateless, role)].Properties;
      return JSON.stringify(props.AssumeRolePolicyDocument.Statement[0].Principal);
    };
    expect(principalOf('hrss.zhongxian')).toContain('210987654321');
    expect(principalOf('court.zhongxian')).toContain('123456789012');
  });
});

describe('function entries', () => {
  it('deploy every functions/<name>/handler.ts, and the bundle-size script measures the same set', () => {
    const measured = functionEntries();
    expect(measured.map((f) => f.name)).toEqual(['api', 'maintenance', 'processor']);
    const deployed = Object.entries(defaultFunctionEntries).map(([name, entry]) => ({ name, entry })).sort((a, b) => a.name.localeCompare(b.name));
    expect(deployed).toEqual(measured);
    expect(defaultFunctionEntries.maintenance).toBe(fileURLToPath(new URL('../../functions/maintenance/handler.ts', import.meta.url)));
  });
});

describe('deployment settings', () => {
  it('fall back to the documented placeholders offline', () => {
    const settings = readDeploymentSettings(new App());
    expect(settings.jwtIssuer).toBe('https://idp.example.invalid/reform-indicators');
    expect(settings.jwtAudience).toEqual(['reform-indicators-api']);
    expect(settings.producerAccounts).toEqual({});
  });

  it('reject a producer account for a source that does not exist', () => {
    const app = new App({ context: { producerAccounts: '{"bank.zhongxian":"210987654321"}' } });
    expect(() => readDeploymentSettings(app)).toThrow(DeploymentSettingsError);
  });

  it('reject a producer account that is not a 12-digit id', () => {
    const app = new App({ context: { producerAccounts: { 'hrss.zhongxian': 'arn:aws:iam::1:root' } } });
    expect(() => readDeploymentSettings(app)).toThrow(/12-digit/);
  });

  it('check a deployment configuration at synth as the functions read it, and keep it within what Lambda\'s environment holds', () => {
    const settingsWith = (deploymentConfig: unknown) => readDeploymentSettings(new App({ context: { deploymentConfig } }));
    expect(() => settingsWith({ rewards: [{ from: '2027-01-01', skill: {}, degree: {} }, { skill: {}, degree: {} }] })).toThrow(/context deploymentConfig: DEPLOYMENT_CONFIG\.rewards/);
    expect(() => settingsWith({ claims: { division: 'scope' } })).toThrow(/context deploymentConfig: .*scope/);
    expect(() => settingsWith('{')).toThrow(/context deploymentConfig is not valid JSON/);
    // The whole Zhong County configuration is too large for an environment variable: only overrides fit.
    expect(() => settingsWith(defaultDeploymentConfig)).toThrow(/over 3000 .*leave out/);
    const settings = settingsWith('{"claims":{"role":"custom:role"},"sources":{"hrss.zhongxian":["certificate.submitted.v1"]}}');
    expect(settings.deploymentConfig.claims.role).toBe('custom:role');
    expect(settings.deploymentConfig.root).toEqual(defaultDeploymentConfig.root);
    expect(settings.deploymentConfigJson).toBe('{"claims":{"role":"custom:role"},"sources":{"hrss.zhongxian":["certificate.submitted.v1"]}}');
  });

  it('take the maintenance function\'s memory as a whole number of MB that Lambda allows (1 GB without it)', () => {
    const memory = (maintenanceMemoryMb: unknown) => readDeploymentSettings(new App({ context: { maintenanceMemoryMb } })).maintenanceMemoryMb;
    expect(readDeploymentSettings(new App()).maintenanceMemoryMb).toBe(1024);
    expect(memory('3008')).toBe(3008);
    for (const wrong of [64, 10_241, 1536.5, 'lots']) expect(() => memory(wrong)).toThrow(DeploymentSettingsError);
  });
});

describe('a deployment configuration given as context', () => {
  it('reaches every function as DEPLOYMENT_CONFIG, and its sources decide the producer roles (and maintenanceMemoryMb the maintenance function\'s memory)', () => {
    const deploymentConfig = { rewards: [{ skill: { level1: 6000 }, degree: {} }, { from: '2027-01-01', skill: { level1: 8000 }, degree: {} }], sources: { 'hrss.zhongxian': ['certificate.submitted.v1'] } };
    const app = synthesiseApp({ deploymentConfig, maintenanceMemoryMb: 3008 });
    try {
      for (const fn of [app.stateless.processor, app.stateless.api, app.stateless.maintenance]) {
        const resource = app.statelessTemplate.toJSON()['Resources'][logicalIdOf(app.stateless, fn.function)] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
        expect(resource.Properties.Environment.Variables['DEPLOYMENT_CONFIG']).toBe(JSON.stringify(deploymentConfig));
      }
      expect([...app.stateless.producerRoles.keys()]).toEqual(['hrss.zhongxian']);
      expect(app.statelessTemplate.toJSON()['Resources'][logicalIdOf(app.stateless, app.stateless.maintenance.function)].Properties.MemorySize).toBe(3008);
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
  });

  it('is not set without the context: the functions read the built-in configuration', () => {
    for (const fn of [synthesised.stateless.processor, synthesised.stateless.api, synthesised.stateless.maintenance]) {
      const resource = synthesised.statelessTemplate.toJSON()['Resources'][logicalIdOf(synthesised.stateless, fn.function)] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
      expect(resource.Properties.Environment.Variables).not.toHaveProperty('DEPLOYMENT_CONFIG');
    }
  });
});
