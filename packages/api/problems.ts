/**
 * Every error the API answers with, mapped to an RFC 9457 problem in this one
 * place. Details are shown only below 500; they name what was wrong, never
 * personal data. Nothing else turns an error into a response.
 */
import { AuthError } from '../auth/errors.ts';
import { IndicatorError } from '../indicators/errors.ts';
import { MaintenanceBusyError, MaintenanceLeaseEndedError, MaintenanceStillRunningError, MaintenanceUnavailableError } from '../maintenance/errors.ts';
import type { HttpResponse } from './http.ts';

/** Problem types: `urn:reform-indicators:problem:<slug>`, with their status and title. */
export const problemTypes = {
  'invalid-parameter': { status: 400, title: 'Invalid query parameter' },
  'unknown-parameter': { status: 400, title: 'Unknown query parameter' },
  'missing-parameter': { status: 400, title: 'Missing query parameter' },
  'invalid-body': { status: 400, title: 'Invalid request body' },
  'invalid-cursor': { status: 400, title: 'Invalid cursor' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'unknown-indicator': { status: 404, title: 'Unknown indicator' },
  'unknown-division': { status: 404, title: 'Unknown division' },
  'unknown-organisation': { status: 404, title: 'Unknown organisation' },
  'unknown-event': { status: 404, title: 'Unknown event' },
  'unknown-publication': { status: 404, title: 'Unknown publication' },
  'unknown-target': { status: 404, title: 'Unknown target' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'maintenance-busy': { status: 409, title: 'Maintenance in progress' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  internal: { status: 500, title: 'Internal error' },
  'maintenance-unavailable': { status: 503, title: 'Maintenance unavailable' },
  'maintenance-running': { status: 503, title: 'Maintenance still running' },
  'maintenance-interrupted': { status: 503, title: 'Maintenance stopped before it finished' },
  'not-configured': { status: 503, title: 'Not configured' },
} as const;

export type ProblemSlug = keyof typeof problemTypes;

/** `Retry-After` of a 409 while maintenance runs: a reconcile of the demo data takes seconds, a rebuild of years of events minutes. */
export const maintenanceRetryAfterSeconds = 30;

/** Base class of the API's own errors: each names its problem type. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';

  constructor(
    readonly problem: ProblemSlug,
    detail: string,
    options?: ErrorOptions & { readonly headers?: Readonly<Record<string, string>> },
  ) {
    super(detail, options);
    this.headers = options?.headers ?? {};
  }

  readonly headers: Readonly<Record<string, string>>;
}

/** What the API logs about a failure it could not explain to the caller. */
export interface ApiLogger {
  error(message: string, attributes: Record<string, unknown>): void;
}

const genericDetail = 'The request could not be completed. Try again later.';

/** The problem+json body of a problem type. */
export function problemBody(slug: ProblemSlug, detail: string): string {
  const { status, title } = problemTypes[slug];
  return JSON.stringify({ type: `urn:reform-indicators:problem:${slug}`, title, status, detail });
}

/** The one mapping from an error to an HTTP response. */
export function problemResponse(error: unknown, logger?: ApiLogger): HttpResponse {
  let slug: ProblemSlug;
  let detail: string;
  let headers: Readonly<Record<string, string>> = {};
  if (error instanceof ApiError) {
    ({ problem: slug, message: detail, headers } = error);
  } else if (error instanceof AuthError) {
    slug = 'unauthorized';
    detail = error.message;
    headers = { 'www-authenticate': 'Bearer' };
  } else if (error instanceof MaintenanceBusyError) {
    slug = 'maintenance-busy';
    detail = error.message;
    headers = { 'retry-after': String(maintenanceRetryAfterSeconds) };
  } else if (error instanceof MaintenanceStillRunningError) {
    slug = 'maintenance-running';
    detail = error.message;
    headers = { 'retry-after': String(maintenanceRetryAfterSeconds) };
  } else if (error instanceof MaintenanceLeaseEndedError) {
    // Only where maintenance runs in-process (the local stack): the deployed function's timeout comes first.
    slug = 'maintenance-interrupted';
    detail = error.message;
  } else if (error instanceof MaintenanceUnavailableError) {
    slug = 'maintenance-unavailable';
    detail = error.message;
  } else if (error instanceof IndicatorError) {
    slug = 'invalid-parameter';
    detail = error.message;
  } else {
    slug = 'internal';
    detail = genericDetail;
  }
  const { status } = problemTypes[slug];
  if (status >= 500) {
    // The error's name only: SDK messages may quote keys, which hold codes and ids.
    logger?.error('request failed', { errorName: error instanceof Error ? error.name : typeof error });
    // An error the API did not expect says nothing; a 503 it chose says why in its own words.
    if (slug === 'internal') detail = genericDetail;
  }
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
    body: problemBody(slug, detail),
  };
}
