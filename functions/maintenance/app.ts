/**
 * The maintenance function as a function of its runner: checks the
 * invocation payload, runs the action and logs its figures. handler.ts wires
 * the tables; tests pass their own runner.
 */
import * as z from 'zod/mini';
import type { MaintenanceAction, MaintenanceResult, MaintenanceRunner } from '../../packages/maintenance/maintenance.ts';
import { MaintenanceError } from '../../packages/maintenance/errors.ts';

/** What the function is invoked with. */
export const maintenanceRequestSchema = z.strictObject({ action: z.enum(['reconcile', 'rebuild']) });

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
    if (!parsed.success) throw new InvalidMaintenanceRequestError('expected { "action": "reconcile" } or { "action": "rebuild" }');
    const { action } = parsed.data;
    const result: MaintenanceResult = await runner.run(action);
    logger?.info(`${action} finished`, {
      skippedEvents: result.skippedEvents.length,
      ...(result.action === 'reconcile'
        ? { events: result.events, checkedItems: result.checkedItems, differenceCount: result.differenceCount }
        : result.rebuilt),
    });
    return result;
  };
}
