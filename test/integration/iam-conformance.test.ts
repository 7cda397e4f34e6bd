/**
 * Every DynamoDB call a function's code makes is allowed by the role CDK
 * gives that function. DynamoDB Local checks no IAM, so a call the role
 * lacks works on the local stack and fails only when deployed; here each
 * function's real handler runs its work against DynamoDB Local through a
 * proxy that records what IAM would authorise (action, table or index, the
 * partition keys named), and each operation is checked against the
 * synthesised template's statements for that role — conditions included.
 */
import { rmSync } from 'node:fs';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentIdFor, sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import { defaultClaimNames } from '../../packages/config/deployment.ts';
import { ledgerTable, tables } from '../../packages/config/resources.ts';
import { ledgerPk } from '../../packages/storage/ledger-records.ts';
import type { LocalStack } from '../../packages/local-stack/stack.ts';
import { startLocalStack } from '../../packages/local-stack/stack.ts';
import { lambdaContext } from '../../packages/local-stack/poller.ts';
import { apiGatewayEvent } from '../support/api-harness.ts';
import { buildMixedWorkload } from '../support/mixed-workload.ts';
import { sqsRecordOf } from '../support/queue.ts';
import type { RecordedOperation } from '../support/recording-proxy.ts';
import { startRecordingProxy } from '../support/recording-proxy.ts';
import type { Statement, SynthesisedApp } from '../infra/synthesised-app.ts';
import { actionsOf, logicalIdOf, resourcesOf, roleStatements, synthesiseApp } from '../infra/synthesised-app.ts';

type FunctionName = 'processor' | 'api' | 'maintenance';
type TableName = 'ledger' | 'state' | 'counters' | 'publications' | 'targets';

let stack: LocalStack;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let synthesised: SynthesisedApp;
/** Local table name → the stateful stack's name for it. */
const tableByName = new Map<string, { name: TableName; partitionKey: string }>();

beforeAll(async () => {
  stack = await startLocalStack({ withApi: false, withPoller: false, quiet: true });
  for (const definition of tables) {
    const local = stack.env[definition.envVar];
    if (local === undefined) throw new Error(`the local stack set no ${definition.envVar}`);
    tableByName.set(local, { name: definition.name.toLowerCase() as TableName, partitionKey: definition.partitionKey.name });
  }
  proxy = await startRecordingProxy(String(stack.env['AWS_ENDPOINT_URL_DYNAMODB']), (table) => tableByName.get(table)?.partitionKey ?? 'pk');
  // The handlers create their clients at module load, from the environment: through the proxy.
  process.env['AWS_ENDPOINT_URL_DYNAMODB'] = proxy.url;
  process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
  synthesised = synthesiseApp();
});

afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
  if (synthesised !== undefined) rmSync(synthesised.outdir, { recursive: true, force: true });
});

/** Whether `condition` (a statement's) lets `operation` through; only the keys this project uses are understood. */
function conditionHolds(condition: Statement['Condition'], operation: RecordedOperation): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, value] of Object.entries(keys)) {
      if (operator !== 'ForAllValues:StringEquals' || key !== 'dynamodb:LeadingKeys') throw new Error(`the test does not evaluate ${operator} ${key}`);
      const allowed = new Set(Array.isArray(value) ? value.map(String) : [String(value)]);
      // A read by range names no key: a LeadingKeys condition cannot be shown to hold for it.
      if (operation.leadingKeys === undefined || !operation.leadingKeys.every((k) => allowed.has(k))) return false;
    }
  }
  return true;
}

/** The operations `role` may not perform, each once, as `action table[/index] (keys)`. */
function refused(role: FunctionName, operations: readonly RecordedOperation[]): string[] {
  const { stateless, stateful, statelessTemplate } = synthesised;
  const { statements } = roleStatements(statelessTemplate, logicalIdOf(stateless, stateless[role].role));
  const out = new Set<string>();
  for (const operation of operations) {
    const table = tableByName.get(operation.table);
    if (table === undefined) throw new Error(`${operation.action} on ${operation.table}: not a table of the stack`);
    const arn = stateful[table.name].table.tableArn;
    const resource = JSON.stringify(stateless.resolve(operation.index === undefined ? arn : `${arn}/index/${operation.index}`));
    const allowed = statements.some(
      (s) => s.Effect === 'Allow' && actionsOf(s).includes(operation.action) && resourcesOf(s).some((r) => JSON.stringify(r) === resource) && conditionHolds(s.Condition, operation),
    );
    if (!allowed) out.add(`${operation.action} ${table.name}${operation.index === undefined ? '' : `/${operation.index}`}`);
  }
  return [...out].sort();
}

/** What `work` sends to DynamoDB. */
async function operationsDuring(work: () => Promise<void>): Promise<RecordedOperation[]> {
  const from = proxy.operations.length;
  await work();
  return proxy.operations.slice(from);
}

describe('each function’s DynamoDB calls are allowed by its deployed role', () => {
  it('processor: a mixed workload, a contract applied in chunks, a duplicate, a rejection and an unknown organisation', async () => {
    const { processSqsBatch } = (await import('../../functions/processor/handler.ts')) as unknown as {
      processSqsBatch: (event: SQSEvent, context: Context) => Promise<unknown>;
    };
    const workload = buildMixedWorkload(3, 6);
    const registrations = workload.filter((e) => e.type === 'organization.registered.v1');
    const rest = workload.filter((e) => e.type !== 'organization.registered.v1');
    const orgCodes = [...new Set(registrations.map((e) => String((e.data as { orgCode: string }).orgCode)))];
    const context = lambdaContext('processor', 'us-east-1', 30_000);
    const regional = sampleEvent('contract.signed.v1', { id: 'iam-regional', data: { contractNo: 'IAM-QY-1', kind: 'collective', topic: undefined, orgCodes } });
    const operations = await operationsDuring(async () => {
      await processSqsBatch({ Records: registrations.map((e) => sqsRecordOf(e)) }, context);
      await processSqsBatch({ Records: rest.map((e) => sqsRecordOf(e)) }, context);
      const unknownOrg = sampleEvent('union.established.v1', { id: 'iam-unknown', data: { orgCode: usccFor(990_001), establishedOn: '2026-04-01', members: 3 } });
      const invalid = sampleEvent('certificate.submitted.v1', { id: 'iam-invalid', data: { certificateNo: 'IAM-1', holder: { idNumber: residentIdFor(1).slice(0, 10) } } });
      await processSqsBatch({ Records: [sqsRecordOf(regional), sqsRecordOf(regional, 2), sqsRecordOf(invalid), sqsRecordOf(unknownOrg, 10)] }, context);
    });
    // The contract was applied in chunks, each guarded by a marker in its ledger partition.
    const markers = await stack.ddb.send(
      new QueryCommand({
        TableName: stack.env[ledgerTable.envVar],
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
        ExpressionAttributeValues: { ':pk': { S: ledgerPk(regional.source, regional.id) }, ':chunk': { S: 'CHUNK#' } },
      }),
    );
    expect(markers.Count).toBeGreaterThan(1);
    expect(operations.some((o) => o.action === 'dynamodb:PutItem')).toBe(true);
    expect(refused('processor', operations)).toEqual([]);
  });

  it('maintenance: reconcile, rebuild and publish', async () => {
    const { maintenance } = (await import('../../functions/maintenance/handler.ts')) as unknown as { maintenance: (payload: unknown) => Promise<unknown> };
    const operations = await operationsDuring(async () => {
      await maintenance({ action: 'reconcile' });
      await maintenance({ action: 'rebuild' });
      await maintenance({ action: 'publish', period: '2026-Q3', title: 'IAM check' });
    });
    expect(operations.some((o) => o.action === 'dynamodb:Scan')).toBe(true);
    expect(refused('maintenance', operations)).toEqual([]);
  });

  it('api: every route but the admin ones (those invoke the maintenance function)', async () => {
    const { api } = (await import('../../functions/api/handler.ts')) as unknown as {
      api: (event: ReturnType<typeof apiGatewayEvent> & { body?: string }) => Promise<{ statusCode?: number; body?: string }>;
    };
    const admin = { [defaultClaimNames.role]: 'admin', [defaultClaimNames.division]: '500233000000' };
    const township = '500233101000';
    const orgCode = usccFor(700_000 + 3 * 1000);
    const call = async (method: string, path: string, query: Record<string, string> = {}, body?: unknown): Promise<{ statusCode?: number; body?: string }> =>
      api({ ...apiGatewayEvent(method, path, admin, query), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const statuses: Record<string, number | undefined> = {};
    const operations = await operationsDuring(async () => {
      const get = async (label: string, path: string, query: Record<string, string> = {}) => {
        statuses[label] = (await call('GET', path, query)).statusCode;
      };
      await get('catalogue', '/v1/indicators');
      await get('figure', '/v1/indicators/skilled_workers', { division: township, period: '2026' });
      await get('org figure', '/v1/indicators/skilled_workers', { orgCode, period: '2026' });
      await get('analytics', '/v1/analytics', { indicators: 'skilled_workers,party_org_coverage_non_public', periods: '2026-01,2026-Q3', division: '500233000000', breakdown: 'children' });
      await get('explain', '/v1/indicators/dual_upgrade_rewards_yuan/explain', { division: '500233000000', period: '2026' });
      await get('org explain', '/v1/indicators/skilled_workers/explain', { orgCode, period: '2026' });
      await get('events', '/v1/indicators/dual_upgrade_rewards_yuan/events', { division: '500233000000', period: '2026', part: 'value' });
      await get('outcome', '/v1/events/hrss.zhongxian/iam-regional');
      await get('rejections', '/v1/rejections');
      const published = JSON.parse((await call('GET', '/v1/publications')).body ?? '{}') as { publications?: { id: string }[] };
      const id = published.publications?.[0]?.id ?? 'none';
      await get('publication', `/v1/publications/${id}`);
      await get('edition figures', `/v1/publications/${id}/figures`);
      await get('revisions', `/v1/publications/${id}/revisions`);
      statuses['put target'] = (await call('PUT', '/v1/targets/skilled_workers', { division: township, period: '2027' }, { value: 120 })).statusCode;
      await get('targets', '/v1/targets', { division: township });
      statuses['delete target'] = (await call('DELETE', '/v1/targets/skilled_workers', { division: township, period: '2027' })).statusCode;
      const valid = sampleEvent('hardship_aid.granted.v1', { id: 'iam-api-1' });
      const invalid = { ...sampleEvent('hardship_aid.granted.v1', { id: 'iam-api-2' }), data: { amountYuan: -1 } };
      statuses['submit'] = (await call('POST', '/v1/events', {}, [valid, invalid])).statusCode;
    });
    // Every route answered as a working route does: the operations above are the ones each really makes.
    expect(Object.entries(statuses).filter(([, status]) => status === undefined || status >= 300)).toEqual([]);
    expect(refused('api', operations)).toEqual([]);
  });
});
