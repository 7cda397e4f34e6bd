/**
 * `POST /v1/admin/rebuild` and `GET /v1/admin/reconcile` through
 * createApiHandler with a recording runner; the Lambda-invoking runner against
 * a fake HTTPS endpoint; the maintenance function's payload check.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { TestDependencies as ApiDependencies } from '../support/api-harness.ts';
import { createApiHandler } from '../support/api-harness.ts';
import { InProcessFunctionRunner, LambdaMaintenanceRunner, MaintenanceInvocationError, signedLambdaInvoker, UnconfiguredMaintenanceRunner } from '../../functions/api/maintenance-runner.ts';
import { MaintenanceBusyError, MaintenanceLeaseEndedError, MaintenanceStillRunningError } from '../../packages/maintenance/errors.ts';
import { maintenanceLeaseMs } from '../../packages/config/resources.ts';
import { createMaintenanceHandler, InvalidMaintenanceRequestError } from '../../functions/maintenance/app.ts';
import { DivisionTree, defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import { zhongCounty } from '../../packages/config/zhong-county.ts';
import { validateEvent } from '../../packages/contract/index.ts';
import { sampleNow } from '../../packages/contract/fixtures.ts';
import { indicatorCatalog } from '../../packages/indicators/catalog.ts';
import { IndicatorEvaluator } from '../../packages/indicators/evaluator.ts';
import { InMemoryCounterSource } from '../../packages/indicators/in-memory-counter-source.ts';
import type { MaintenanceAction, MaintenanceResult, MaintenanceRunner, ReconcileResult, RebuildResult, ResultOf } from '../../packages/maintenance/maintenance.ts';

/** Counters recorded straight at the scope read: each division reads only its own partition. */
const ownOnly = (division: string): string[] => [division];

const county = '500233000000';
const zhongzhou = '500233001000';

const reconciled: ReconcileResult = {
  action: 'reconcile',
  differences: [{ pk: `DIV#${county}`, sk: 'Y#2026', metric: 'skilled', live: 4, recomputed: 3 }],
  differenceCount: 1,
  truncated: false,
  checkedItems: 120,
  events: 40,
  skippedEvents: [],
};
const rebuilt: RebuildResult = {
  action: 'rebuild',
  rebuilt: { counters: 100, baselines: 2, state: 30, events: 40, deletedCounters: 1, deletedState: 0, corrections: 0 },
  skippedEvents: [],
};

class RecordingRunner implements MaintenanceRunner {
  readonly actions: MaintenanceAction[] = [];
  run<A extends MaintenanceAction>(action: A): Promise<ResultOf<A>> {
    this.actions.push(action);
    return Promise.resolve((action === 'rebuild' ? rebuilt : reconciled) as ResultOf<A>);
  }
}

function api(maintenance: MaintenanceRunner) {
  const errors: Record<string, unknown>[] = [];
  const deps: ApiDependencies = {
    catalog: indicatorCatalog,
    indicators: new IndicatorEvaluator(new InMemoryCounterSource(), ownOnly),
    ledger: { outcomeOf: () => Promise.resolve(undefined) },
    organisations: { organisation: () => Promise.resolve(undefined) },
    queue: { send: () => Promise.resolve(new Set<number>()) },
    divisions: new DivisionTree(zhongCounty),
    sources: defaultDeploymentConfig.sources,
    validateEvent,
    maintenance,
    now: sampleNow,
    logger: { error: (_message, attributes) => errors.push(attributes) },
  };
  return { handler: createApiHandler(deps), errors };
}

async function call(maintenance: MaintenanceRunner, method: string, path: string, claims: Record<string, string>, query?: Record<string, string>, body?: unknown) {
  const event = {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '', headers: {},
    ...(query === undefined ? {} : { queryStringParameters: query }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    requestContext: {
      accountId: '0', apiId: 't', domainName: 'd', domainPrefix: 'd', requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: null } },
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  const { handler, errors } = api(maintenance);
  const result = await handler(event);
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') as Record<string, unknown>, headers: result.headers ?? {}, errors };
}

const countyAdmin = { role: 'admin', division: county };

describe('admin routes', () => {
  it('reconcile answers the runner\'s differences and counts', async () => {
    const runner = new RecordingRunner();
    const { status, body } = await call(runner, 'GET', '/v1/admin/reconcile', countyAdmin);
    expect(status).toBe(200);
    expect(body).toEqual({
      differences: [{ pk: `DIV#${county}`, sk: 'Y#2026', metric: 'skilled', live: 4, recomputed: 3 }],
      differenceCount: 1, truncated: false, checkedItems: 120, events: 40, skippedEvents: [],
    });
    expect(runner.actions).toEqual(['reconcile']);
  });

  it('rebuild answers what was rewritten', async () => {
    const runner = new RecordingRunner();
    const { status, body } = await call(runner, 'POST', '/v1/admin/rebuild', countyAdmin);
    expect(status).toBe(200);
    expect(body).toEqual({ rebuilt: rebuilt.rebuilt, skippedEvents: [] });
    expect(runner.actions).toEqual(['rebuild']);
  });

  it.each([
    ['a county viewer', { role: 'viewer', division: county }],
    ['a township admin', { role: 'admin', division: zhongzhou }],
  ])('forbids %s (403) without running anything', async (_who, claims) => {
    for (const [method, path] of [['GET', '/v1/admin/reconcile'], ['POST', '/v1/admin/rebuild']] as const) {
      const runner = new RecordingRunner();
      const { status, body } = await call(runner, method, path, claims);
      expect(status).toBe(403);
      expect(body['type']).toBe('urn:reform-indicators:problem:forbidden');
      expect(runner.actions).toEqual([]);
    }
  });

  it('takes no query parameters and only its own method', async () => {
    const runner = new RecordingRunner();
    expect((await call(runner, 'GET', '/v1/admin/reconcile', countyAdmin, { dryRun: 'true' })).status).toBe(400);
    const wrongMethod = await call(runner, 'GET', '/v1/admin/rebuild', countyAdmin);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('POST');
    expect(runner.actions).toEqual([]);
  });

  it('answers 503 when maintenance is not configured, and 500 without detail when it fails', async () => {
    const unconfigured = await call(new UnconfiguredMaintenanceRunner(), 'GET', '/v1/admin/reconcile', countyAdmin);
    expect(unconfigured.status).toBe(503);
    expect(unconfigured.body['type']).toBe('urn:reform-indicators:problem:maintenance-unavailable');
    const failing: MaintenanceRunner = { run: () => Promise.reject(new MaintenanceInvocationError('the maintenance function failed (Unhandled: Boom)')) };
    const failed = await call(failing, 'POST', '/v1/admin/rebuild', countyAdmin);
    expect(failed.status).toBe(500);
    expect(failed.body['detail']).toBe('The request could not be completed. Try again later.');
    expect(failed.errors).toEqual([{ errorName: 'MaintenanceInvocationError' }]);
  });

  it('answers 503 saying so when a run outlasted its pause of processing and stopped (in-process maintenance)', async () => {
    const outlasted: MaintenanceRunner = { run: () => Promise.reject(new MaintenanceLeaseEndedError(maintenanceLeaseMs)) };
    const answer = await call(outlasted, 'POST', '/v1/admin/rebuild', countyAdmin);
    expect(answer.status).toBe(503);
    expect(answer.body['type']).toBe('urn:reform-indicators:problem:maintenance-interrupted');
    expect(answer.body['detail']).toBe('the run outlasted its 16-minute pause of processing and stopped before writing or answering anything more; run it again');
  });

  it('answers 409 with Retry-After while another maintenance run is in progress', async () => {
    const busy: MaintenanceRunner = { run: () => Promise.reject(new MaintenanceBusyError()) };
    for (const [method, path, body] of [['POST', '/v1/admin/rebuild'], ['GET', '/v1/admin/reconcile'], ['POST', '/v1/admin/publications', { period: '2026-Q3', title: 'Q3' }]] as const) {
      const answer = await call(busy, method, path, countyAdmin, undefined, body);
      expect(answer.status, path).toBe(409);
      expect(answer.body['type']).toBe('urn:reform-indicators:problem:maintenance-busy');
      expect(answer.body['detail']).toMatch(/in progress/);
      expect(answer.headers['retry-after']).toBe('30');
    }
  });

  it('runs one maintenance action at a time in process, as the deployed function does', async () => {
    // A maintenance module whose runs end when the test says so.
    const moduleUrl = `data:text/javascript,${encodeURIComponent('export const maintenance = (p) => new Promise((r) => { globalThis.endMaintenance = () => r({ action: p.action }); });')}`;
    const end = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 20));
      (globalThis as { endMaintenance?: () => void }).endMaintenance?.();
    };
    const runner = new InProcessFunctionRunner(moduleUrl);
    const first = runner.run('reconcile');
    await expect(runner.run('rebuild')).rejects.toBeInstanceOf(MaintenanceBusyError);
    await end();
    await expect(first).resolves.toEqual({ action: 'reconcile' });
    const second = runner.run('rebuild');
    await end();
    await expect(second).resolves.toEqual({ action: 'rebuild' });
  });
});

/** A stand-in for the Lambda service's HTTPS endpoint: records the request and answers as told. */
function fakeLambda(answer: { status?: number; body: string; headers?: Record<string, string> }) {
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  const send = ((url: string, init: { headers: Record<string, string>; body: string }) => {
    sent.push({ url, headers: init.headers, body: init.body });
    return Promise.resolve(new Response(answer.body, { status: answer.status ?? 200, headers: answer.headers ?? {} }));
  }) as unknown as typeof fetch;
  return { send, sent };
}

const awsEnvironment = { AWS_REGION: 'cn-northwest-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };

describe('LambdaMaintenanceRunner over a signed Invoke', () => {
  it('invokes the maintenance function synchronously with the action and returns its answer', async () => {
    const { send, sent } = fakeLambda({ body: JSON.stringify(reconciled) });
    const result = await new LambdaMaintenanceRunner(signedLambdaInvoker('reform-maintenance', awsEnvironment, send)).run('reconcile');
    expect(result).toEqual(reconciled);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.url).toBe('https://lambda.cn-northwest-1.amazonaws.com.cn/2015-03-31/functions/reform-maintenance/invocations');
    expect(request?.body).toBe('{"action":"reconcile"}');
    expect(request?.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(request?.headers['x-amz-security-token']).toBe('token');
    expect(request?.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-northwest-1\/lambda\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-invocation-type[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
  });

  it('honours AWS_ENDPOINT_URL_LAMBDA and encodes an ARN in the path', async () => {
    const { send, sent } = fakeLambda({ body: JSON.stringify(rebuilt) });
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:maintenance';
    await new LambdaMaintenanceRunner(signedLambdaInvoker(arn, { ...awsEnvironment, AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3001' }, send)).run('rebuild');
    expect(sent[0]?.url).toBe(`http://127.0.0.1:3001/2015-03-31/functions/${encodeURIComponent(arn)}/invocations`);
  });

  it('turns a function error into MaintenanceInvocationError naming only the error type', async () => {
    const { send } = fakeLambda({
      body: JSON.stringify({ errorType: 'RebuildIncompleteError', errorMessage: '3 writes to Counters stayed unprocessed' }),
      headers: { 'x-amz-function-error': 'Unhandled' },
    });
    const error = await new LambdaMaintenanceRunner(signedLambdaInvoker('f', awsEnvironment, send)).run('rebuild').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaintenanceInvocationError);
    expect((error as Error).message).toBe('the maintenance function failed (Unhandled: RebuildIncompleteError)');
  });

  it('names the status and error type when Lambda refuses the call', async () => {
    const { send } = fakeLambda({ status: 403, body: '{"message":"User arn:aws:sts::1:assumed-role/x is not authorized"}', headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal' } });
    await expect(new LambdaMaintenanceRunner(signedLambdaInvoker('f', awsEnvironment, send)).run('reconcile')).rejects.toThrow(
      new MaintenanceInvocationError('Invoke failed with HTTP 403 (AccessDeniedException)'),
    );
  });

  it('turns Lambda\'s throttle of a second run into MaintenanceBusyError', async () => {
    const { send } = fakeLambda({ status: 429, body: '{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}', headers: { 'x-amzn-errortype': 'TooManyRequestsException' } });
    await expect(new LambdaMaintenanceRunner(signedLambdaInvoker('f', awsEnvironment, send)).run('rebuild')).rejects.toBeInstanceOf(MaintenanceBusyError);
  });

  it('answers before API Gateway gives up: a run that outlasts the wait goes on, and the caller is told so', async () => {
    let answer: (response: Response) => void = () => undefined;
    const send = (() => new Promise<Response>((resolve) => (answer = resolve))) as unknown as typeof fetch;
    const runner = new LambdaMaintenanceRunner(signedLambdaInvoker('f', awsEnvironment, send), 20);
    const error = await runner.run('rebuild').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MaintenanceStillRunningError);
    expect((error as Error).message).toMatch(/goes on in the maintenance function.*GET \/v1\/admin\/reconcile/);
    // Its late answer (or failure) is nobody's concern here: no unhandled rejection.
    answer(new Response('not json', { status: 500 }));
    const answered = await call({ run: () => Promise.reject(error) }, 'POST', '/v1/admin/rebuild', countyAdmin);
    expect(answered.status).toBe(503);
    expect(answered.body['type']).toBe('urn:reform-indicators:problem:maintenance-running');
    expect(answered.body['detail']).toBe((error as Error).message);
    expect(answered.headers['retry-after']).toBe('30');
  });

  it('refuses an answer to another action', async () => {
    const { send } = fakeLambda({ body: JSON.stringify(rebuilt) });
    await expect(new LambdaMaintenanceRunner(signedLambdaInvoker('f', awsEnvironment, send)).run('reconcile')).rejects.toThrow('did not answer the reconcile request');
  });
});

describe('maintenance function', () => {
  it('runs the requested action and logs figures only', async () => {
    const runner = new RecordingRunner();
    const logged: Record<string, unknown>[] = [];
    const handler = createMaintenanceHandler(runner, { info: (_m, attributes) => logged.push(attributes) });
    const result: MaintenanceResult = await handler({ action: 'reconcile' });
    expect(result).toEqual(reconciled);
    expect(logged).toEqual([{ skippedEvents: 0, events: 40, checkedItems: 120, differenceCount: 1 }]);
  });

  it.each([[{}], [{ action: 'drop' }], [{ action: 'rebuild', force: true }], ['rebuild'], [null]])('refuses the payload %j before running anything', async (payload) => {
    const runner = new RecordingRunner();
    await expect(createMaintenanceHandler(runner)(payload)).rejects.toBeInstanceOf(InvalidMaintenanceRequestError);
    expect(runner.actions).toEqual([]);
  });
});
