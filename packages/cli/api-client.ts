/**
 * The admin query API (contract/API.md) over HTTP, with fetch injected so the
 * CLI can be tested against any server. Problem responses become
 * {@link ApiProblemError}s carrying the API's own title and detail.
 */
import type * as z from 'zod/mini';
import type { AnalyticsRow, EventOutcomeAnswer, IndicatorFigure, RebuildAnswer, ReconcileAnswer, SubmissionResult } from '../api/client-types.ts';
import {
  analyticsPage,
  contributingEventsPage,
  eventOutcome,
  explanation,
  indicatorFigure,
  publicationSummary,
  rebuildResponse,
  reconcileResponse,
  revisionsPage,
  submissionResults,
  targetShape,
  targetsResponse,
} from '../api/schemas.ts';
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
  analytics(query: { indicator: string; division?: string; period: string; children: boolean }): Promise<AnalyticsRow[]> {
    return this.analyticsRows({
      indicators: query.indicator,
      periods: query.period,
      ...(query.division === undefined ? {} : { division: query.division }),
      children: query.children,
    });
  }

  /** Every row of `GET /v1/analytics` for these parameters, all pages. */
  async analyticsRows(query: AnalyticsQuery): Promise<AnalyticsRow[]> {
    const rows: AnalyticsRow[] = [];
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = checked(analyticsPage, await this.request('GET', `/v1/analytics?${analyticsParams(query, cursor)}`), 'GET /v1/analytics');
      rows.push(...page.rows);
      cursor = page.next;
    }
    return rows;
  }

  /** The same rows as one CSV (the API's, byte-order mark and header once), all pages. */
  async analyticsCsv(query: AnalyticsQuery): Promise<string> {
    let csv = '';
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const { text, headers } = await this.send('GET', `/v1/analytics?${analyticsParams(query, cursor)}`, undefined, 'text/csv');
      // fetch drops the byte-order mark; Excel needs it, once. Later pages repeat the header line: keep it once.
      const body = text.replace(/^\uFEFF/, '');
      csv += first ? `\uFEFF${body}` : body.replace(/^[^\r\n]*\r\n/, '');
      cursor = headers.get('x-next-cursor') ?? undefined;
    }
    return csv;
  }

  /** `GET /v1/admin/reconcile`. */
  async reconcile(): Promise<ReconcileAnswer> {
    return checked(reconcileResponse, await this.request('GET', '/v1/admin/reconcile'), 'GET /v1/admin/reconcile');
  }

  /** `POST /v1/admin/rebuild`. */
  async rebuild(): Promise<RebuildAnswer> {
    return checked(rebuildResponse, await this.request('POST', '/v1/admin/rebuild'), 'POST /v1/admin/rebuild');
  }

  /** `POST /v1/admin/publications`: freezes a period's figures. */
  async publish(period: string, title: string): Promise<z.infer<typeof publicationSummary>> {
    return checked(publicationSummary, await this.request('POST', '/v1/admin/publications', JSON.stringify({ period, title })), 'POST /v1/admin/publications');
  }

  /** `GET /v1/indicators/{id}/explain`. */
  async explain(id: string, query: { division?: string; orgCode?: string; period: string }): Promise<z.infer<typeof explanation>> {
    return checked(explanation, await this.request('GET', `/v1/indicators/${encodeURIComponent(id)}/explain?${scopeParams(query)}`), 'GET /v1/indicators/{id}/explain');
  }

  /** Every page of `GET /v1/indicators/{id}/events` for one part. */
  async contributingEvents(id: string, query: { division?: string; orgCode?: string; period: string; part: string }): Promise<z.infer<typeof contributingEventsPage>['events']> {
    const events: z.infer<typeof contributingEventsPage>['events'] = [];
    let cursor: string | undefined;
    do {
      const params = scopeParams(query);
      params.set('part', query.part);
      if (cursor !== undefined) params.set('cursor', cursor);
      const page = checked(contributingEventsPage, await this.request('GET', `/v1/indicators/${encodeURIComponent(id)}/events?${params}`), 'GET /v1/indicators/{id}/events');
      events.push(...page.events);
      cursor = page.next;
    } while (cursor !== undefined);
    return events;
  }

  /** Every page of `GET /v1/publications/{id}/revisions`. */
  async revisions(publication: string): Promise<z.infer<typeof revisionsPage>['revisions']> {
    const revisions: z.infer<typeof revisionsPage>['revisions'] = [];
    let cursor: string | undefined;
    do {
      const path = `/v1/publications/${encodeURIComponent(publication)}/revisions${cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`}`;
      const page = checked(revisionsPage, await this.request('GET', path), 'GET /v1/publications/{id}/revisions');
      revisions.push(...page.revisions);
      cursor = page.next;
    } while (cursor !== undefined);
    return revisions;
  }

  /** `PUT /v1/targets/{indicator}`. */
  async setTarget(target: z.infer<typeof targetShape>): Promise<z.infer<typeof targetShape>> {
    const path = targetPath(target);
    return checked(targetShape, await this.request('PUT', path, JSON.stringify({ value: target.value })), 'PUT /v1/targets/{id}');
  }

  /** `DELETE /v1/targets/{indicator}`. */
  async deleteTarget(key: { indicator: string; division: string; period: string }): Promise<void> {
    await this.request('DELETE', targetPath(key));
  }

  /** `GET /v1/targets` of a division (default: the token's), optionally one year. */
  async targets(query: { division?: string; period?: string }): Promise<z.infer<typeof targetsResponse>['targets']> {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    return checked(targetsResponse, await this.request('GET', `/v1/targets?${params}`), 'GET /v1/targets').targets;
  }

  private async request(method: string, path: string, body?: string): Promise<unknown> {
    const { text } = await this.send(method, path, body, 'application/json');
    try {
      return JSON.parse(keepLongNumbersExact(text));
    } catch {
      throw new ApiProblemError(502, 'Unexpected response', `${method} ${path.split('?')[0]} answered without JSON`);
    }
  }

  /** One call; a problem answer becomes an ApiProblemError carrying the API's title and detail. */
  private async send(method: string, path: string, body: string | undefined, accept: string): Promise<{ text: string; headers: Headers }> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
      });
    } catch (cause) {
      throw new ApiUnreachableError(`cannot reach the API at ${this.base} (is the local stack running? npm start)`, { cause });
    }
    const text = await response.text();
    if (!response.ok) {
      let problem: { title?: unknown; detail?: unknown } = {};
      try {
        problem = JSON.parse(text) as typeof problem;
      } catch {
        problem = {};
      }
      const title = typeof problem.title === 'string' ? problem.title : response.statusText || 'Request failed';
      throw new ApiProblemError(response.status, title, typeof problem.detail === 'string' ? problem.detail : undefined);
    }
    return { text, headers: response.headers };
  }
}

function targetPath(key: { indicator: string; division: string; period: string }): string {
  return `/v1/targets/${encodeURIComponent(key.indicator)}?${new URLSearchParams({ division: key.division, period: key.period })}`;
}

/** Parameters of `GET /v1/analytics` as the CLI asks for them. */
export interface AnalyticsQuery {
  readonly indicators: string;
  readonly periods: string;
  readonly division?: string;
  readonly orgCode?: string;
  readonly children: boolean;
}

function analyticsParams(query: AnalyticsQuery, cursor: string | undefined): URLSearchParams {
  const params = new URLSearchParams({ indicators: query.indicators, periods: query.periods });
  if (query.division !== undefined) params.set('division', query.division);
  if (query.orgCode !== undefined) params.set('orgCode', query.orgCode);
  if (query.children) params.set('breakdown', 'children');
  if (cursor !== undefined) params.set('cursor', cursor);
  return params;
}

/** The body, once it has the route's response shape (the schema of the route table). */
/** `division=` or `orgCode=`, and `period=`. */
function scopeParams(query: { division?: string; orgCode?: string; period: string }): URLSearchParams {
  const params = new URLSearchParams();
  if (query.division !== undefined) params.set('division', query.division);
  if (query.orgCode !== undefined) params.set('orgCode', query.orgCode);
  params.set('period', query.period);
  return params;
}

function checked<S extends z.ZodMiniType>(schema: S, body: unknown, route: string): z.infer<S> {
  const result = schema.safeParse(asDoubles(body));
  if (!result.success) throw new ApiProblemError(502, 'Unexpected response', `${route} answered in an unexpected shape`);
  // The checked shape, with numbers too long for a double still as their exact text (see keepLongNumbersExact).
  return body as z.infer<S>;
}

/** Marks a number kept as text; a control character, which no JSON string from the API contains unescaped. */
const exactMark = '\u0001';

/**
 * JSON text with every number of more than 15 significant digits turned into
 * a string (marked), so parsing keeps it exact: a sum of money past 2^53 fen
 * is a JSON number the API writes exactly, and a double would round it.
 */
export function keepLongNumbersExact(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text.charAt(i);
    if (c === '"') {
      // A string literal, copied as it is (escapes included).
      let j = i + 1;
      while (j < text.length && text.charAt(j) !== '"') j += text.charAt(j) === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const number = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i))?.[0] ?? c;
      const significant = number.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length;
      out += significant > 15 && !/[eE]/.test(number) ? `"\\u0001${number}"` : number;
      i += number.length;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The exact value of a figure: a number, or the exact decimal text of one too long for a double. */
export type ExactFigure = number | string;

/** `body` with kept texts turned back into doubles, for checking its shape only. */
function asDoubles(body: unknown): unknown {
  if (typeof body === 'string' && body.startsWith(exactMark)) return Number(body.slice(1));
  if (Array.isArray(body)) return body.map(asDoubles);
  if (typeof body === 'object' && body !== null) return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, asDoubles(v)]));
  return body;
}

/** A figure value as received: the number, or the exact text of a long one (unmarked). */
export function exactFigure(value: unknown): ExactFigure | null {
  if (typeof value === 'string' && value.startsWith(exactMark)) return value.slice(1);
  return typeof value === 'number' ? value : null;
}
