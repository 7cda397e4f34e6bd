/**
 * Targets: `PUT`/`DELETE /v1/targets/{indicator}`, `GET /v1/targets`, and
 * the `target` and `progress` fields a year's figure of a division carries
 * (rule and arithmetic: packages/publications/targets.ts).
 */
import * as z from 'zod/mini';
import type { Target, TargetStore } from '../publications/targets.ts';
import { maxTargetValue, progressText } from '../publications/targets.ts';
import { wireNumber } from '../publications/edition.ts';
import { analyticsConcurrency, mapWithConcurrency } from './analytics.ts';
import type { ApiDependencies } from './dependencies.ts';
import type { ExactNumber } from './http.ts';
import { ApiError } from './problems.ts';
import type { RouteContext } from './route.ts';
import { divisionCode } from './schemas.ts';

export const targetQuery = z.strictObject({
  division: z.optional(divisionCode),
  period: z.string().check(z.regex(/^[0-9]{4}$/, 'must be a year, YYYY: targets are set per year')),
});

export const targetListQuery = z.strictObject({
  division: z.optional(divisionCode),
  period: z.optional(z.string().check(z.regex(/^[0-9]{4}$/, 'must be a year, YYYY'))),
});

const targetBody = z.strictObject({
  value: z.number().check(
    z.positive('must be positive'),
    z.lte(maxTargetValue, `must be at most ${maxTargetValue}`),
    z.refine((v) => /^\d+(\.\d{1,2})?$/.test(String(v)), 'must have at most 2 decimals'),
  ),
});

/** JSON Schema of the PUT body, for the OpenAPI document. */
export const targetBodySchema = {
  type: 'object',
  required: ['value'],
  additionalProperties: false,
  properties: { value: { type: 'number', exclusiveMinimum: 0, maximum: maxTargetValue, multipleOf: 0.01, description: 'In the indicator’s unit: a count, yuan, or percent.' } },
} as const;

/** A JSON body checked against `schema`; the first problem named, never the value. */
export function parseJsonBody<T>(text: string | undefined, schema: z.ZodMiniType<T>): T {
  let body: unknown;
  try {
    body = JSON.parse(text ?? '');
  } catch (cause) {
    throw new ApiError('invalid-body', 'the body is not JSON', { cause });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = issue?.path.map(String).join('.') || 'body';
  throw new ApiError('invalid-body', `${field}: ${issue?.code === 'unrecognized_keys' ? issue.message : (issue?.message ?? 'is not valid')}`);
}

function requireTargets(deps: ApiDependencies): TargetStore {
  if (deps.targets === undefined) throw new ApiError('not-configured', 'this deployment keeps no targets');
  return deps.targets;
}

/** The target's key from path and query, once the caller (an admin) may act on that division. */
function targetKey({ caller, query, params, deps, scopes }: RouteContext<z.infer<typeof targetQuery>>): Omit<Target, 'value'> {
  const indicator = params['id'] ?? '';
  if (!deps.catalog.some((d) => d.id === indicator)) throw new ApiError('unknown-indicator', `no indicator ${JSON.stringify(indicator.slice(0, 64))}; GET /v1/indicators lists them`);
  const code = query.division ?? caller.division;
  if (code === undefined) throw new ApiError('forbidden', 'your token names no division');
  return { indicator, division: scopes.requireDivision(caller, code), period: query.period };
}

export async function putTarget(context: RouteContext<z.infer<typeof targetQuery>>): Promise<Target> {
  const key = targetKey(context);
  const { value } = parseJsonBody(context.request.body, targetBody);
  const target = { ...key, value };
  await requireTargets(context.deps).set(target);
  return target;
}

export async function deleteTarget(context: RouteContext<z.infer<typeof targetQuery>>): Promise<Omit<Target, 'value'>> {
  const key = targetKey(context);
  if (!(await requireTargets(context.deps).remove(key))) {
    throw new ApiError('unknown-target', `no target is set for ${key.indicator} in division ${key.division} for ${key.period}`);
  }
  return key;
}

export async function listTargets({ caller, query, deps, scopes }: RouteContext<z.infer<typeof targetListQuery>>): Promise<{ targets: Target[] }> {
  const code = query.division ?? caller.division;
  if (code === undefined) throw new ApiError('forbidden', 'your token names no division');
  const targets = await requireTargets(deps).ofDivision(scopes.requireDivision(caller, code));
  return { targets: query.period === undefined ? targets : targets.filter((t) => t.period === query.period) };
}

/** A figure as the API answers it, for a division or an organisation. */
type FigureRow = { readonly indicator: string; readonly period: string; readonly value: number | ExactNumber | null; readonly division?: string; readonly orgCode?: string };

/**
 * `rows` with `target` and `progress` on every year row of a division that
 * has a target for that year and indicator; other rows unchanged. One Query
 * per division that has a year row (none when no year is asked for).
 */
export async function withTargets<R extends FigureRow>(rows: readonly R[], targets: TargetStore | undefined): Promise<(R & { target?: number; progress?: number | ExactNumber | null })[]> {
  const isYearRow = (row: R): row is R & { division: string } => row.division !== undefined && /^[0-9]{4}$/.test(row.period);
  const divisions = [...new Set(rows.filter(isYearRow).map((row) => row.division))];
  if (targets === undefined || divisions.length === 0) return [...rows];
  const found = new Map<string, number>();
  const keyOf = (indicator: string, division: string, period: string): string => `${indicator}|${division}|${period}`;
  await mapWithConcurrency(divisions, analyticsConcurrency, async (division) => {
    for (const t of await targets.ofDivision(division)) found.set(keyOf(t.indicator, t.division, t.period), t.value);
  });
  return rows.map((row) => {
    if (!isYearRow(row)) return row;
    const target = found.get(keyOf(row.indicator, row.division, row.period));
    if (target === undefined) return row;
    const progress = progressText(row.value === null ? null : String(row.value), target);
    return { ...row, target, progress: progress === null ? null : wireNumber(progress) };
  });
}
