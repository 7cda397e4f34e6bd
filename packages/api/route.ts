/**
 * What one route of the API is: method, path, who may call it, its query and
 * response schemas and its handler. The route table (routes.ts) is a list of
 * these; the router, the OpenAPI document and the CLI client's types all come
 * from it, so adding a route is adding an entry.
 */
import type * as z from 'zod/mini';
import type { Caller, Role } from '../auth/claims.ts';
import type { ApiDependencies } from './dependencies.ts';
import type { ExactNumber, HttpRequest, HttpResponse } from './http.ts';
import type { ScopeResolver } from './scope.ts';

/** Everything a route handler gets. */
export interface RouteContext<Query> {
  /** The verified caller; absent on public routes. */
  readonly caller: Caller;
  readonly query: Query;
  /** Path parameters by name, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly request: HttpRequest;
  readonly deps: ApiDependencies;
  readonly scopes: ScopeResolver;
}

/** A handler answers with the response schema's value, or a whole response (CSV, other statuses). */
export type RouteResult<Response> = WireNumbers<Response> | { readonly raw: HttpResponse };

/** A response as handlers build it: any number may be an {@link ExactNumber}, which is written as a JSON number too. */
export type WireNumbers<T> = T extends number ? number | ExactNumber : T extends readonly (infer E)[] ? readonly WireNumbers<E>[] : T extends object ? { [K in keyof T]: WireNumbers<T[K]> } : T;

export interface RouteDefinition<QueryShape extends z.core.$ZodShape = z.core.$ZodShape, Response extends z.ZodMiniType = z.ZodMiniType> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI path template, e.g. `/v1/indicators/{id}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  /** `public`: no token needed; otherwise the roles allowed (further checks are the handler's). */
  readonly access: 'public' | readonly Role[];
  /** Query parameters; any other is refused 400. */
  readonly query: z.ZodMiniObject<QueryShape>;
  /** Descriptions of path parameters and their schemas. */
  readonly pathParameters?: Readonly<Record<string, { readonly schema: z.ZodMiniType; readonly description?: string }>>;
  /** JSON Schema of the request body (the contract's published event schemas for `POST /v1/events`). */
  readonly requestBody?: Readonly<Record<string, unknown>>;
  readonly successStatus: 200 | 201 | 202;
  readonly response: Response;
  /** Also answers `Accept: text/csv` with the same rows. */
  readonly csv?: string;
  /** Problem statuses besides 401 and 500. */
  readonly problems: readonly number[];
  /** Example query values, for the OpenAPI document and the test that drives every route. */
  readonly example?: { readonly query?: Readonly<Record<string, string>>; readonly params?: Readonly<Record<string, string>> };
  readonly handle: (context: RouteContext<z.infer<z.ZodMiniObject<QueryShape>>>) => Promise<RouteResult<z.infer<Response>>>;
}

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<QueryShape extends z.core.$ZodShape, Response extends z.ZodMiniType>(
  route: RouteDefinition<QueryShape, Response>,
): RouteDefinition<QueryShape, Response> {
  return route;
}
