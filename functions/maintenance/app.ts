/**
 * The maintenance function as a function of its runner: checks the
 * invocation payload, runs the action and logs its figures. handler.ts wires
 * the tables; tests pass their own runner.
 */
import * as z from 'zod/mini';
import type { MaintenanceAction, MaintenanceResult, MaintenanceRunner } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceError } from '../../packages/maintenance/errors.ts';

/** What the function is invoked with: an action, and for publish the period and title (checked again by the action). */
export const maintenanceRequestSchema = z.union([
  z.strictObject({ action: z.enum(['reconcile', 'rebuild']) }),
  z.strictObject({ action: z.literal('publish'), period: z.string().check(z.maxLength(16)), title: z.string().check(z.minLength(1), z.maxLength(200)) }),
]);

export type MaintenanceRequest = { readonly action: MaintenanceAction };

/** Figures only: differences name counter keys, which are no business of the log. */
export interface MaintenanceLogger {
  info(message: string, attributes: Record<string, unknown>): void;
}

export class InvalidMaintenanceRequestError extends MaintenanceError {
  override readonly name = 'InvalidMaintenanceRequestError';
}

/**
 * Builds `(payload) => result`. The payload is `{ action: 'reconcile' | 'rebuild' }`.
 *
 * @throws InvalidMaintenanceRequestError for any other payload, before touching a table.
 */
export function createMaintenanceHandler(runner: MaintenanceRunner, logger?: MaintenanceLogger): (payload: unknown) => Promise<MaintenanceResult> {
  return async (payload) => {
    const parsed = maintenanceRequestSchema.safeParse(payload);
    if (!parsed.success) throw new InvalidMaintenanceRequestError('expected { "action": "reconcile" }, { "action": "rebuild" } or { "action": "publish", "period": …, "title": … }');
    const request = parsed.data;
    if (request.action === 'publish') {
      const result = await runner.run('publish', { period: request.period, title: request.title });
      // Id, period and figure count only: the title is the caller's text.
      logger?.info('publish finished', { publication: result.publication.id, period: result.publication.period, figures: result.publication.figures });
      return result;
    }
    const { action } = request;
    const result = await runner.run(action);
    logger?.info(`${action} finished`, {
      skippedEvents: result.skippedEvents.length,
      ...(result.action === 'reconcile'
        ? { events: result.events, checkedItems: result.checkedItems, differenceCount: result.differenceCount }
        : result.rebuilt),
    });
    return result;
  };
}
