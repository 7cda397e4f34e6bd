/**
 * The router built from the route table: matches method and path, checks
 * the caller against the route's access, parses the query with the route's
 * schema and maps every error to a problem response in one place.
 */
import type * as z from 'zod/mini';
import type { Caller } from '../auth/claims.ts';
import { callerFromClaims } from '../auth/claims.ts';
import type { ApiDependencies } from './dependencies.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { jsonResponse } from './http.ts';
import { ApiError, problemResponse } from './problems.ts';
import type { RouteDefinition } from './route.ts';
import { routeTable } from './routes.ts';
import { ScopeResolver } from './scope.ts';

export type Api = (request: HttpRequest) => Promise<HttpResponse>;

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

/** `/v1/events/{source}/{id}` → a pattern with one group per parameter (one path segment each). */
function compile(route: RouteDefinition): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    parameterNames.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (cause) {
    throw new ApiError('not-found', 'the path is not validly percent-encoded', { cause });
  }
}

/**
 * Parses the query with the route's schema: unknown names are refused (a
 * typo must not silently widen a query), a missing one is named, a bad value
 * is described without being repeated.
 */
export function parseQuery<Shape extends z.core.$ZodShape>(schema: z.ZodMiniObject<Shape>, query: Readonly<Record<string, string | undefined>>): z.infer<z.ZodMiniObject<Shape>> {
  const allowed = Object.keys(schema._zod.def.shape);
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    const accepted = allowed.length === 0 ? 'this route takes none' : `accepted: ${allowed.join(', ')}`;
    throw new ApiError('unknown-parameter', `unknown query parameter ${unknown.map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}; ${accepted}`);
  }
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const name = String(issue?.path[0] ?? 'query');
  if (query[name] === undefined) throw new ApiError('missing-parameter', `${name} is required`);
  // Query values are codes, ids and periods, never personal data: quoting one (shortened) shows a repeated key's comma join.
  const described = issue?.code === 'custom' || issue?.code === 'invalid_format' || issue?.code === 'invalid_value' || issue?.code === 'too_big' ? issue.message : 'is not valid';
  throw new ApiError('invalid-parameter', `${name} ${JSON.stringify(String(query[name]).slice(0, 40))} ${described}`);
}

/** Builds the API from its dependencies: `(request) => response`. */
export function createApi(deps: ApiDependencies): Api {
  const compiled = (routeTable as readonly RouteDefinition[]).map(compile);
  const scopes = new ScopeResolver(deps.divisions, deps.organisations);
  // Public routes read nothing of the caller; should one ever, a viewer without a division sees nothing.
  const anonymous: Caller = { role: 'viewer' };

  const authorise = (route: RouteDefinition, request: HttpRequest): Caller => {
    if (route.access === 'public') return anonymous;
    const caller = callerFromClaims(request.claims ?? {}, deps.claimNames);
    if (caller.division !== undefined && !deps.divisions.has(caller.division)) {
      throw new ApiError('forbidden', `your division ${caller.division} is not a division of this deployment`);
    }
    if (!route.access.includes(caller.role)) throw new ApiError('forbidden', `${route.method} ${route.path} is not open to the ${caller.role} role`);
    return caller;
  };

  return async (request) => {
    try {
      const matches = compiled.map((c) => ({ c, match: c.pattern.exec(request.path) })).filter((m) => m.match !== null);
      if (matches.length === 0) throw new ApiError('not-found', 'no such route; see GET /v1/openapi.json');
      const method = request.method.toUpperCase();
      const chosen = matches.find((m) => m.c.route.method === method);
      if (chosen === undefined) {
        const allow = matches.map((m) => m.c.route.method).join(', ');
        throw new ApiError('method-not-allowed', `${method} is not allowed here; use ${allow}`, { headers: { allow } });
      }
      const { route, parameterNames } = chosen.c;
      const caller = authorise(route, request);
      const query = parseQuery(route.query, request.query);
      const params: Record<string, string> = {};
      parameterNames.forEach((name, i) => {
        params[name] = decodeSegment(chosen.match?.[i + 1] ?? '');
      });
      const result = await route.handle({ caller, query, params, request, deps, scopes });
      if (typeof result === 'object' && result !== null && 'raw' in result) return (result as { raw: HttpResponse }).raw;
      return jsonResponse(route.successStatus, result);
    } catch (error) {
      return problemResponse(error, deps.logger);
    }
  };
}
