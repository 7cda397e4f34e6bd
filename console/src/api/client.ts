/**
 * Every call the console makes to the API, in one place: when a route or a
 * shape changes, this file (and shapes.ts) is the one to edit. Answers are
 * checked against the shapes; problems become typed errors.
 */
import type * as z from 'zod/mini';
import { ApiProblemError, RouteUnavailableError, SignedOutError } from '../errors.ts';
import type { AnalyticsRow, ContributingEvent, EventOutcome, Explanation, Figure, Indicator, Page, Publication, Reconciliation, RebuildResult, RejectionsPage, Revision } from './shapes.ts';
import {
  analyticsPageSchema,
  catalogSchema,
  contributingEventsPageSchema,
  eventOutcomeSchema,
  explanationSchema,
  figureSchema,
  problemSchema,
  publicationFiguresPageSchema,
  publicationSchema,
  publicationsPageSchema,
  rebuildSchema,
  reconcileSchema,
  rejectionsPageSchema,
  revisionsPageSchema,
} from './shapes.ts';

/** A figure's coordinates: one division and one period. */
export interface FigureQuery {
  readonly division: string;
  readonly period: string;
}

export interface AnalyticsQuery {
  readonly indicators: readonly string[];
  readonly periods: readonly string[];
  readonly division: string;
  /** One row per child division instead of the division itself. */
  readonly byChildren?: boolean;
}

export interface ApiClientOptions {
  /** Base URL of the API; empty for the console's own origin. */
  readonly baseUrl: string;
  /** The bearer token of the session, if signed in. */
  readonly token: () => string | undefined;
  /** Called when the API refuses the token (401). */
  readonly onSignedOut: () => void;
}

type Query = Readonly<Record<string, string | undefined>>;

/** Most pages followed for one answer: a guard against a server that never stops paging. */
const maxPages = 200;

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  /** `GET /v1/indicators`. */
  async catalog(): Promise<Indicator[]> {
    return (await this.json(catalogSchema, '/v1/indicators')).indicators;
  }

  /** `GET /v1/indicators/{id}`; with `edition`, the figure as that publication froze it. */
  figure(indicator: string, query: FigureQuery & { readonly edition?: string }): Promise<Figure> {
    return this.json(figureSchema, `/v1/indicators/${encodeURIComponent(indicator)}`, { division: query.division, period: query.period, edition: query.edition });
  }

  /** `GET /v1/analytics`, every page. */
  async analytics(query: AnalyticsQuery): Promise<AnalyticsRow[]> {
    const rows: AnalyticsRow[] = [];
    await this.eachPage(async (cursor) => {
      const page = await this.json(analyticsPageSchema, '/v1/analytics', { ...analyticsParameters(query), cursor });
      rows.push(...page.rows);
      return page.next ?? undefined;
    });
    return rows;
  }

  /** `GET /v1/analytics` as CSV: the server's bytes, unchanged (BOM included), for download. */
  async analyticsCsv(query: AnalyticsQuery): Promise<Blob> {
    const response = await this.send('/v1/analytics', analyticsParameters(query), { accept: 'text/csv' });
    return response.blob();
  }

  /** `GET /v1/events/{source}/{id}`. */
  eventOutcome(source: string, id: string): Promise<EventOutcome> {
    return this.json(eventOutcomeSchema, `/v1/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`);
  }

  /** `GET /v1/rejections`: counts by reason over the window and one page of the list. */
  rejections(query: { readonly days: number; readonly reason?: string; readonly limit?: number }, cursor?: string): Promise<RejectionsPage> {
    return this.json(rejectionsPageSchema, '/v1/rejections', {
      days: String(query.days),
      reason: query.reason,
      limit: query.limit === undefined ? undefined : String(query.limit),
      cursor,
    });
  }

  /** `GET /v1/admin/reconcile`. */
  reconcile(): Promise<Reconciliation> {
    return this.json(reconcileSchema, '/v1/admin/reconcile');
  }

  /** `POST /v1/admin/rebuild`. */
  rebuild(): Promise<RebuildResult> {
    return this.json(rebuildSchema, '/v1/admin/rebuild', {}, { method: 'POST' });
  }

  /** `GET /v1/indicators/{id}/explain`. */
  explain(indicator: string, query: FigureQuery): Promise<Explanation> {
    return this.json(explanationSchema, `/v1/indicators/${encodeURIComponent(indicator)}/explain`, { division: query.division, period: query.period });
  }

  /** `GET /v1/indicators/{id}/events`: one page of the events behind one part of a figure. */
  async contributingEvents(indicator: string, query: FigureQuery & { readonly part: string }, cursor?: string): Promise<Page<ContributingEvent>> {
    const page = await this.json(contributingEventsPageSchema, `/v1/indicators/${encodeURIComponent(indicator)}/events`, {
      division: query.division,
      period: query.period,
      part: query.part,
      cursor,
    });
    return pageOf(page.events, page.next);
  }

  /** `GET /v1/publications`, every page. */
  async publications(): Promise<Publication[]> {
    const out: Publication[] = [];
    await this.eachPage(async (cursor) => {
      const page = await this.json(publicationsPageSchema, '/v1/publications', { cursor });
      out.push(...page.publications);
      return page.next ?? undefined;
    });
    return out;
  }

  /** `GET /v1/publications/{id}/figures`: one page. */
  async publicationFigures(id: string, cursor?: string): Promise<Page<AnalyticsRow>> {
    const page = await this.json(publicationFiguresPageSchema, `/v1/publications/${encodeURIComponent(id)}/figures`, { cursor });
    return pageOf(page.figures, page.next);
  }

  /** `GET /v1/publications/{id}/revisions`, every page. */
  async revisions(id: string): Promise<Revision[]> {
    const out: Revision[] = [];
    await this.eachPage(async (cursor) => {
      const page = await this.json(revisionsPageSchema, `/v1/publications/${encodeURIComponent(id)}/revisions`, { cursor });
      out.push(...page.revisions);
      return page.next ?? undefined;
    });
    return out;
  }

  /** `POST /v1/admin/publications` (admin of the root division). */
  publish(edition: { readonly period: string; readonly title: string }): Promise<Publication> {
    return this.json(publicationSchema, '/v1/admin/publications', {}, { method: 'POST', body: JSON.stringify(edition) });
  }

  private async eachPage(fetchPage: (cursor: string | undefined) => Promise<string | undefined>): Promise<void> {
    let cursor: string | undefined;
    for (let pages = 0; pages < maxPages; pages += 1) {
      cursor = await fetchPage(cursor);
      if (cursor === undefined) return;
    }
    throw new ApiProblemError(200, 'unreadable', `the answer did not end within ${maxPages} pages`);
  }

  private async json<S extends z.ZodMiniType>(schema: S, path: string, query: Query = {}, init: RequestOptions = {}): Promise<z.infer<S>> {
    const response = await this.send(path, query, { ...init, accept: 'application/json' });
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      throw new ApiProblemError(response.status, 'unreadable', `${path} did not answer with JSON`, { cause });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ApiProblemError(response.status, 'unreadable', `${path} answered in an unexpected shape`, { cause: parsed.error });
    return parsed.data as z.infer<S>;
  }

  private async send(path: string, query: Query, init: RequestOptions & { readonly accept: string }): Promise<Response> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
    const url = `${this.options.baseUrl}${path}${search.size > 0 ? `?${search.toString()}` : ''}`;
    const headers: Record<string, string> = { accept: init.accept };
    const token = this.options.token();
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: init.body }), cache: 'no-store' });
    if (response.ok) return response;
    const problem = problemSchema.safeParse(await response.json().catch(() => undefined));
    const slug = problem.success ? (problem.data.type?.split(':').pop() ?? 'unknown') : 'unknown';
    const detail = problem.success ? (problem.data.detail ?? problem.data.title ?? '') : '';
    if (response.status === 401) {
      this.options.onSignedOut();
      throw new SignedOutError(detail || 'signed out');
    }
    if (response.status === 404 && slug === 'not-found') throw new RouteUnavailableError(`${init.method ?? 'GET'} ${path} is not available on this server`);
    throw new ApiProblemError(response.status, slug, detail || `${path} answered ${response.status}`);
  }
}

interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
}

function analyticsParameters(query: AnalyticsQuery): Query {
  return {
    indicators: query.indicators.join(','),
    periods: query.periods.join(','),
    division: query.division,
    breakdown: query.byChildren === true ? 'children' : undefined,
  };
}

function pageOf<T>(items: readonly T[], next: string | null | undefined): Page<T> {
  return next === undefined || next === null ? { items } : { items, next };
}
