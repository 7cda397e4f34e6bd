/**
 * The admin query API (contract/API.md) over HTTP, with fetch injected so the
 * CLI can be tested against any server. Problem responses become
 * {@link ApiProblemError}s carrying the API's own title and detail.
 */
import type * as z from 'zod/mini';
import type { AnalyticsRow, EventOutcomeAnswer, IndicatorFigure, SubmissionResult } from '../api/client-types.ts';
import { analyticsPage, eventOutcome, indicatorFigure, submissionResults } from '../api/schemas.ts';
import { ApiProblemError, ApiUnreachableError } from './errors.ts';

export type { AnalyticsRow, EventOutcomeAnswer, IndicatorFigure, SubmissionResult } from '../api/client-types.ts';

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
    return checked(submissionResults, await this.request('POST', '/v1/events', JSON.stringify(events)), 'POST /v1/events').results;
  }

  /** `GET /v1/indicators/{id}` for a division or an organisation. */
  async indicator(id: string, query: { division?: string; orgCode?: string; period: string }): Promise<IndicatorFigure> {
    const params = new URLSearchParams();
    if (query.division !== undefined) params.set('division', query.division);
    if (query.orgCode !== undefined) params.set('orgCode', query.orgCode);
    params.set('period', query.period);
    return checked(indicatorFigure, await this.request('GET', `/v1/indicators/${encodeURIComponent(id)}?${params}`), 'GET /v1/indicators/{id}');
  }

  /** `GET /v1/events/{source}/{id}`. */
  async eventOutcome(source: string, id: string): Promise<EventOutcomeAnswer> {
    return checked(eventOutcome, await this.request('GET', `/v1/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`), 'GET /v1/events/{source}/{id}');
  }

  /** `GET /v1/analytics` rows for one indicator and period; `children` breaks the division down. */
  async analytics(query: { indicator: string; division?: string; period: string; children: boolean }): Promise<AnalyticsRow[]> {
    const params = new URLSearchParams({ indicators: query.indicator });
    if (query.division !== undefined) params.set('division', query.division);
    params.set('periods', query.period);
    if (query.children) params.set('breakdown', 'children');
    const rows: AnalyticsRow[] = [];
    // Every page, following `next`: the answer to a large request comes in several.
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = checked(analyticsPage, await this.request('GET', `/v1/analytics?${params}${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`), 'GET /v1/analytics');
      rows.push(...page.rows);
      cursor = page.next;
    }
    return rows;
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

/** The body, once it has the route's response shape (the schema of the route table). */
function checked<S extends z.ZodMiniType>(schema: S, body: unknown, route: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new ApiProblemError(502, 'Unexpected response', `${route} answered in an unexpected shape`);
  return result.data;
}
