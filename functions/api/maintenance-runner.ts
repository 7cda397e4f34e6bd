/**
 * How the admin routes reach maintenance. In AWS they invoke the maintenance
 * function (RequestResponse), so the API's own role never needs write access
 * to the Counters or State tables. The invocation is one SigV4-signed HTTPS
 * call: `@aws-sdk/client-lambda` would add about 85 KB to an API bundle that
 * must stay under 300 KB.
 */
import { MaintenanceBusyError, MaintenanceError, MaintenanceStillRunningError, MaintenanceUnavailableError } from '../../packages/maintenance/errors.ts';
import type { MaintenanceAction, MaintenanceResult, MaintenanceRunner, ResultOf } from '../../packages/maintenance/maintenance.ts';
import type { PublishRequest } from '../../packages/maintenance/publish.ts';
import { awsErrorType, signedPost } from '../../packages/aws/signed-request.ts';

/** The maintenance function answered with an error or an answer of the wrong shape. */
export class MaintenanceInvocationError extends MaintenanceError {
  override readonly name = 'MaintenanceInvocationError';
}

/** What a synchronous invocation gives back: the function's answer, and its error kind if it failed. */
export interface InvocationResponse {
  readonly payload: string;
  /** `X-Amz-Function-Error` (`Unhandled`, `Handled`) when the function threw. */
  readonly functionError?: string;
}

/** Invokes one function synchronously with a JSON payload. */
export type FunctionInvoker = (payload: string) => Promise<InvocationResponse>;

/**
 * How long the API waits for the maintenance function's answer: the API's
 * own timeout is 29 s (API Gateway gives up at 30), so a longer run is
 * answered before that, and goes on in the function.
 */
export const maintenanceAnswerWaitMs = 25_000;

export class LambdaMaintenanceRunner implements MaintenanceRunner {
  constructor(
    private readonly invoke: FunctionInvoker,
    private readonly waitMs: number = maintenanceAnswerWaitMs,
  ) {}

  /**
   * @throws MaintenanceInvocationError when the function failed (its error type only, no message: it may quote keys).
   * @throws MaintenanceStillRunningError when it has not answered within `waitMs` (it runs on).
   */
  async run<A extends MaintenanceAction>(action: A, request?: PublishRequest): Promise<ResultOf<A>> {
    const invocation = this.invoke(JSON.stringify({ ...request, action }));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.waitMs);
    });
    const answer = await Promise.race([invocation, waited]).finally(() => clearTimeout(timer));
    if (answer === undefined) {
      // Its outcome is the function's own (logged there); nothing here waits for it any more.
      invocation.catch(() => undefined);
      throw new MaintenanceStillRunningError(
        `the ${action} goes on in the maintenance function (up to 15 minutes); ${action === 'rebuild' ? 'GET /v1/admin/reconcile once it has finished shows the tables agree' : 'a run this long is best invoked on the function directly (README, "Rebuilding and reconciling counters")'}`,
      );
    }
    const { payload, functionError } = answer;
    if (functionError !== undefined) {
      let errorType = 'unknown';
      try {
        errorType = String((JSON.parse(payload) as { errorType?: unknown }).errorType ?? 'unknown');
      } catch {
        // A payload that is not JSON still means the function failed.
      }
      throw new MaintenanceInvocationError(`the maintenance function failed (${functionError}: ${errorType})`);
    }
    let result: unknown;
    try {
      result = JSON.parse(payload);
    } catch (cause) {
      throw new MaintenanceInvocationError('the maintenance function answered with something other than JSON', { cause });
    }
    if (typeof result !== 'object' || result === null || (result as { action?: unknown }).action !== action) {
      throw new MaintenanceInvocationError(`the maintenance function did not answer the ${action} request`);
    }
    return result as ResultOf<A>;
  }
}

/**
 * Lambda `Invoke` (RequestResponse) of `functionName` as one signed HTTPS
 * call (see signed-request.ts).
 *
 * @throws MaintenanceBusyError when Lambda throttles the call (a run is in progress).
 * @throws MaintenanceInvocationError when the service refuses the call otherwise (HTTP status and error type only).
 */
export function signedLambdaInvoker(
  functionName: string,
  environment: NodeJS.ProcessEnv = process.env,
  send?: typeof fetch,
): FunctionInvoker {
  return async (payload) => {
    const response = await signedPost(
      {
        service: 'lambda',
        endpointVariable: 'LAMBDA',
        path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: payload,
      },
      environment,
      send,
    );
    if (response.status !== 200) {
      const type = awsErrorType(response);
      // The function's reserved concurrency is 1: Lambda refuses a second run while one is in progress.
      if (response.status === 429 && type === 'TooManyRequestsException') throw new MaintenanceBusyError();
      throw new MaintenanceInvocationError(`Invoke failed with HTTP ${response.status}${type === undefined ? '' : ` (${type})`}`);
    }
    const functionError = response.headers.get('x-amz-function-error');
    return functionError === null ? { payload: response.text } : { payload: response.text, functionError };
  };
}

/**
 * Runs the maintenance function's own handler in this process (the local
 * stack: `MAINTENANCE_MODE=in-process`). Imported on first use through a URL
 * worked out at run time, so Lambda bundles of the API never contain the
 * domain code or write paths.
 */
export class InProcessFunctionRunner implements MaintenanceRunner {
  private handler: Promise<(payload: unknown) => Promise<MaintenanceResult>> | undefined;
  /** One run at a time, as the deployed function's reserved concurrency of 1 allows. */
  private running = false;

  constructor(private readonly moduleUrl: string = new URL('../maintenance/handler.ts', import.meta.url).href) {}

  /** @throws MaintenanceBusyError while another run of this runner is in progress. */
  async run<A extends MaintenanceAction>(action: A, request?: PublishRequest): Promise<ResultOf<A>> {
    if (this.running) throw new MaintenanceBusyError();
    this.running = true;
    try {
      this.handler ??= import(this.moduleUrl).then((loaded: { maintenance?: unknown }) => {
        if (typeof loaded.maintenance !== 'function') throw new MaintenanceUnavailableError('the maintenance module exports no maintenance function');
        return loaded.maintenance as (payload: unknown) => Promise<MaintenanceResult>;
      });
      return (await (await this.handler)({ ...request, action })) as ResultOf<A>;
    } finally {
      this.running = false;
    }
  }
}

/** Stands in when neither a function name nor in-process mode is configured: the admin routes answer 503. */
export class UnconfiguredMaintenanceRunner implements MaintenanceRunner {
  run<A extends MaintenanceAction>(_action: A, _request?: PublishRequest): Promise<ResultOf<A>> {
    return Promise.reject(new MaintenanceUnavailableError('set MAINTENANCE_FUNCTION_NAME, or MAINTENANCE_MODE=in-process locally'));
  }
}
