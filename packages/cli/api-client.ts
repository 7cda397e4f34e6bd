/**
 * The admin query API (contract/API.md) over HTTP, with fetch injected so the
 * CLI can be tested against any server. Problem responses become
 * {@link ApiProblemError}s carrying the API's own title and detail.
 */
import { ApiProblemError, ApiUnreachableError } from './errors.ts';

/** One element of the `POST /v1/events` answer. */
export interface SubmissionResult {
  readonly index: number;
  readonly source?: string;
  readonly id?: string;
  readonly status: 'queued' | 'rejected';
  readonly reason?: string;
  readonly detail?: string;
}

/** `GET /v1/indicators/{id}`. */
export interface IndicatorFigure {
  readonly indicator: string;
  readonly division?: string;
  readonly orgCode?: string;
  readonly period: string;
  readonly value: number | null;
  readonly numerator?: number;
  readonly denominator?: number;
  readonly asOf: string;
}

/** One row of `GET /v1/analytics`. */
export interface AnalyticsRow {
  readonly indicator: string;
  readonly division: string;
  readonly period: string;
  readonly value: number | null;
  readonly numerator?: number;
  readonly denominator?: number;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class ReformApiClient {
  private readonly base: string;

  constructor(
    base: string,
    private readonly token: string,
    private readonly fetchImpl: Fetch,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  /** `POST /v1/events` with one chunk of events (the API takes at most 100). */
  async submitEvents(events: readonly unknown[]): Promise<SubmissionResult[]> {
    const body = (await this.request('POST', '/v1/events', JSON.stringify(events))) as { results?: unknown };
    if (!Array.isArray(body.results)) throw new ApiProblemError(502, 'Unexpected response', 'POST /v1/events answered without results');
    return body.results as SubmissionResult[];
  }

  /** `GET /v1/indicators/{id}` for a division or an organisation. */
  async indicator(id: string, query: { division?: string; orgCode?: string; period: string }): Promise<IndicatorFigure> {
    const params = new URLSearchParams();
    if (query.division !== undefined) params.set('division', query.division);
    if (query.orgCode !== undefined) params.set('orgCode', query.orgCode);
    params.set('period', query.period);
    return (await this.request('GET', `/v1/indicators/${encodeURIComponent(id)}?${params}`)) as IndicatorFigure;
  }

  /** `GET /v1/analytics` rows for one indicator and period; `children` breaks the division down. */
  async analytics(query: { indicator: string; division?: string; period: string; children: boolean }): Promise<AnalyticsRow[]> {
    const params = new URLSearchParams({ indicators: query.indicator });
    if (query.division !== undefined) params.set('division', query.division);
    params.set('periods', query.period);
    if (query.children) params.set('breakdown', 'children');
    const body = await this.request('GET', `/v1/analytics?${params}`);
    const rows = Array.isArray(body) ? body : (body as { rows?: unknown }).rows;
    if (!Array.isArray(rows)) throw new ApiProblemError(502, 'Unexpected response', 'GET /v1/analytics answered without rows');
    return rows as AnalyticsRow[];
  }

  private async request(method: string, path: string, body?: string): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
      });
    } catch (cause) {
      throw new ApiUnreachableError(`cannot reach the API at ${this.base} (is the local stack running? npm start)`, { cause });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const problem = (parsed ?? {}) as { title?: unknown; detail?: unknown };
      const title = typeof problem.title === 'string' ? problem.title : response.statusText || 'Request failed';
      throw new ApiProblemError(response.status, title, typeof problem.detail === 'string' ? problem.detail : undefined);
    }
    if (parsed === undefined) throw new ApiProblemError(502, 'Unexpected response', `${method} ${path.split('?')[0]} answered without JSON`);
    return parsed;
  }
}
