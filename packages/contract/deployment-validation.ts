/**
 * The validation options of a deployment, built in one place so that both
 * doors — `POST /v1/events` and the processor — validate exactly alike.
 */
import type { DivisionTree } from '../config/deployment.ts';
import type { EventType } from './event-types.ts';
import type { ValidationOptions } from './validate-event.ts';

/** The parts of the deployment configuration validation depends on. */
export interface ValidationDeployment {
  readonly divisions: DivisionTree;
  readonly sources: Readonly<Record<string, readonly string[]>>;
}

/**
 * Options for `validateEvent`: the producer allowlist and the division tree.
 * An organisation registers in a township, never at the root (the county
 * counts its townships' organisations), so `organization.registered.v1`
 * naming the root is `invalid_data` at either door.
 */
export function validationOptionsFor(deployment: ValidationDeployment, now: Date): ValidationOptions {
  const { divisions, sources } = deployment;
  return {
    now,
    sources,
    isDivision: (code: string, type: EventType) => (type === 'organization.registered.v1' ? divisions.isTownship(code) : divisions.has(code)),
  };
}
