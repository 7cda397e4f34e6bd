/**
 * The OpenAPI 3.1 document of the API (contract/API.md), generated from the
 * route table: paths, methods, access, query parameters and response schemas
 * come from each route's entry (zod → JSON Schema); problem types from the
 * API's one error mapping; event bodies from the contract's JSON Schemas.
 * Served at `GET /v1/openapi.json` and published as
 * `docs/contract/openapi.json` by `npm run contracts`.
 */
import * as z from 'zod/mini';
import { loadDeploymentConfig } from '../config/deployment.ts';
import { eventTypes } from '../contract/event-types.ts';
import type { JsonSchema } from '../contract/json-schema.ts';
import { eventJsonSchema, jsonSchemaDialect } from '../contract/json-schema.ts';
import type { ProblemSlug } from './problems.ts';
import { problemTypes } from './problems.ts';
import type { RouteDefinition } from './route.ts';
import { apiVersion, routeTable } from './routes.ts';

/** `urn:reform-indicators:problem:<slug>`: the stable `type` of a problem response. */
export function problemTypeUri(slug: ProblemSlug): string {
  return `urn:reform-indicators:problem:${slug}`;
}

const { code: rootDivision } = loadDeploymentConfig({}).root;
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string): JsonSchema => ({ $ref: `#/components/responses/${name}` });

/** Problem slugs by HTTP status, from the API's own table. */
function slugsByStatus(): Map<number, ProblemSlug[]> {
  const out = new Map<number, ProblemSlug[]>();
  for (const [slug, { status }] of Object.entries(problemTypes) as [ProblemSlug, { status: number }][]) {
    out.set(status, [...(out.get(status) ?? []), slug]);
  }
  return out;
}

function problemResponses(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [status, slugs] of slugsByStatus()) {
    out[`Problem${status}`] = {
      description: slugs.map((slug) => `\`${slug}\`: ${problemTypes[slug].title}`).join('; '),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [ref('Problem')],
            properties: { type: { enum: slugs.map(problemTypeUri) }, status: { const: status } },
          },
        },
      },
    };
  }
  return out;
}

/** Problem responses a route can give, by status; 500 applies everywhere, 401 to routes that need a token. */
function errors(statuses: readonly number[], needsToken: boolean): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const status of [...statuses, ...(needsToken ? [401] : []), 500].sort((a, b) => a - b)) out[String(status)] = responseRef(`Problem${status}`);
  return out;
}


/** JSON Schema of a zod schema, as the document embeds it. */
function jsonSchemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function isOptional(schema: z.ZodMiniType): boolean {
  return (schema as { _zod: { optin?: string } })._zod.optin === 'optional';
}

function operation(route: RouteDefinition): JsonSchema {
  const needsToken = route.access !== 'public';
  const pathParameters = Object.entries(route.pathParameters ?? {}).map(([name, { schema, description }]) => ({
    name,
    in: 'path',
    required: true,
    ...(description === undefined ? {} : { description }),
    schema: jsonSchemaOf(schema, 'input'),
    ...(route.example?.params?.[name] === undefined ? {} : { example: route.example.params[name] }),
  }));
  const queryParameters = Object.entries(route.query._zod.def.shape as Record<string, z.ZodMiniType>).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !isOptional(schema),
    schema: jsonSchemaOf(schema, 'input'),
    ...(route.example?.query?.[name] === undefined ? {} : { example: route.example.query[name] }),
  }));
  const parameters = [...pathParameters, ...queryParameters];
  const content: JsonSchema = { 'application/json': { schema: jsonSchemaOf(route.response, 'output') } };
  if (route.csv !== undefined) content['text/csv'] = { schema: { type: 'string', description: route.csv } };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    'x-access': route.access === 'public' ? 'public' : route.access,
    ...(needsToken ? {} : { security: [] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.requestBody === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: route.requestBody } } } }),
    responses: {
      [String(route.successStatus)]: { description: route.summary, content },
      ...errors(route.problems, needsToken),
    },
  };
}

/** Paths and methods, one operation per route of the table. */
function paths(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const route of routeTable as readonly RouteDefinition[]) {
    out[route.path] = { ...(out[route.path] ?? {}), [route.method.toLowerCase()]: operation(route) };
  }
  return out;
}

function schemas(): Record<string, JsonSchema> {
  const eventSchemas = Object.fromEntries(
    eventTypes.map((type) => {
      const { $schema: _dialect, ...schema } = eventJsonSchema(type);
      return [type, schema];
    }),
  );
  return {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details. `detail` names what was wrong, never personal data; 5xx details are generic.',
      properties: {
        type: { type: 'string', description: 'Stable `urn:reform-indicators:problem:<slug>`.' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
      },
      required: ['type', 'title', 'status', 'detail'],
    },
    CloudEvent: {
      description: 'An event of any contract type (the schemas `docs/contract/events/<type>.schema.json`, one per type).',
      oneOf: eventTypes.map((type) => ref(type)),
      discriminator: { propertyName: 'type', mapping: Object.fromEntries(eventTypes.map((type) => [type, `#/components/schemas/${type}`])) },
    },
    ...eventSchemas,
  };
}

/**
 * The OpenAPI 3.1 document: every route of the table, bearer-JWT security
 * with the deployment's claims, problem+json errors with their stable `type`
 * URNs, and the event JSON Schemas as components.
 */
export function buildOpenApi(): JsonSchema {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect,
    info: {
      title: 'Reform indicators API',
      version: apiVersion,
      description:
        'Zhong County industrial-workforce reform (产改) indicators: submit events, query indicators and analytics, check event outcomes, rebuild and reconcile counters. Errors are RFC 9457 problem details with a stable `type`; no personal data is ever returned. Generated from the route table (packages/api/routes.ts).',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'The local stack (`npm start`), loopback only.' }],
    security: [{ bearerJwt: [] }],
    paths: paths(),
    components: {
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `Claims (names are deployment configuration; defaults shown): \`role\` (\`producer\` | \`admin\` | \`viewer\`), \`division\` (a 12-digit division code, e.g. ${rootDivision}; the caller sees that subtree) and, for producers, \`source\` (the one producer source it may send as). \`scope\` is never read as a division. Locally \`reform token\` mints RS256 tokens the local authorizer verifies against its JWKS.`,
        },
      },
      responses: problemResponses(),
      schemas: schemas(),
    },
  };
}
