/**
 * The API as the Lambda adapter runs it, for unit tests: API Gateway events
 * in, results out. Tests may pass an evaluator with `evaluate` (one cell at a
 * time) where the API takes an `IndicatorComputation`.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaAdapter } from '../../functions/api/handler-adapter.ts';
import { analyticsConcurrency, mapWithConcurrency } from '../../packages/api/analytics.ts';
import type { ApiDependencies, IndicatorComputation } from '../../packages/api/dependencies.ts';
import { createApi } from '../../packages/api/router.ts';
import type { DivisionTree } from '../../packages/config/deployment.ts';
import { defaultClaimNames } from '../../packages/config/deployment.ts';
import { Explainer } from '../../packages/explain/explainer.ts';
import type { IndicatorDefinition } from '../../packages/indicators/catalog.ts';
import type { CounterScope } from '../../packages/indicators/counter-source.ts';
import type { IndicatorValue } from '../../packages/indicators/evaluator.ts';
import type { Period } from '../../packages/indicators/period.ts';
import type { RejectedRecord } from '../../packages/storage/ledger-records.ts';
import type { RejectionReader } from '../../packages/storage/rejection-reader.ts';
import { Pseudonymiser } from '../../packages/processing/pseudonymise.ts';

/** One cell at a time, as the evaluator computes. */
export interface CellEvaluator {
  evaluate(definitions: readonly IndicatorDefinition[], scope: CounterScope, period: Period): Promise<IndicatorValue[]>;
}

/** An IndicatorComputation from a one-cell evaluator. */
export function cellByCell(evaluator: CellEvaluator): IndicatorComputation {
  return {
    evaluateAll: (definitions, cells) =>
      mapWithConcurrency(cells, analyticsConcurrency, ({ scope, period }) => evaluator.evaluate(definitions, scope, period)),
  };
}

export type TestDependencies = Omit<ApiDependencies, 'indicators' | 'claimNames' | 'recordRejection' | 'pseudonymiser' | 'rejections' | 'explainer'> & {
  /** Default: the rejections recorded through this handler (`recorded`), by the day they were processed. */
  readonly rejections?: ApiDependencies['rejections'];
  /** Default: no explain entries and no baselines. */
  readonly explainer?: ApiDependencies['explainer'];
  readonly indicators: IndicatorComputation | CellEvaluator;
  readonly claimNames?: ApiDependencies['claimNames'];
  readonly recordRejection?: ApiDependencies['recordRejection'];
  readonly pseudonymiser?: ApiDependencies['pseudonymiser'];
};

/** An HTTP API (payload 2.0) event as API Gateway sends it after the JWT authorizer accepted `claims`. */
export function apiGatewayEvent(method: string, path: string, claims: Readonly<Record<string, string>>, query: Readonly<Record<string, string>> = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: new URLSearchParams(query).toString(), headers: {},
    queryStringParameters: { ...query },
    requestContext: {
      accountId: '0', apiId: 't', domainName: 'd', domainPrefix: 'd', requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: { ...claims }, scopes: null } },
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** A rejection reader over the records a test handler recorded, newest first. */
export function recordedRejections(recorded: readonly RejectedRecord[]): RejectionReader {
  return {
    rejectionsOn: (days, limit) => {
      const within = recorded
        .filter((r) => days.includes(r.processedAt.slice(0, 10)))
        .sort((a, b) => b.processedAt.localeCompare(a.processedAt))
        .map((r) => ({ ...r, divisions: [] }));
      return Promise.resolve({ rejections: within.slice(0, limit), truncated: within.length > limit });
    },
  };
}

/** An explainer over no explain entries and no baselines (for tests that do not explain). */
export function emptyExplainer(divisions: DivisionTree): Explainer {
  return new Explainer({ entries: async () => ({ entries: [] }) }, { baselineUsed: async () => undefined }, divisions);
}

/** The pseudonym key of API unit tests. */
export const testPseudonymiser = new Pseudonymiser('api-unit-test-pseudonym-key-0123456789');

/** The API handler over test dependencies; `recorded` collects what it records as rejected. */
export function createApiHandler(
  deps: TestDependencies,
  recorded: RejectedRecord[] = [],
): (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyStructuredResultV2> {
  const indicators = 'evaluateAll' in deps.indicators ? deps.indicators : cellByCell(deps.indicators);
  return lambdaAdapter(
    createApi({
      ...deps,
      indicators,
      explainer: deps.explainer ?? emptyExplainer(deps.divisions),
      claimNames: deps.claimNames ?? defaultClaimNames,
      pseudonymiser: deps.pseudonymiser ?? testPseudonymiser,
      rejections: deps.rejections ?? recordedRejections(recorded),
      recordRejection:
        deps.recordRejection ??
        ((record) => {
          recorded.push(record);
          return Promise.resolve();
        }),
    }),
  );
}
