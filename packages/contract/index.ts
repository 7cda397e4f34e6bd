/**
 * The public event contract (EVENTS.md v1): event types and their data
 * schemas, envelope validation, identifier checks, money and time rules.
 * Test fixtures live in `fixtures.ts` and are deliberately not exported here,
 * so Lambda bundles do not carry them.
 */
export { ContractError } from './errors.ts';
export { encodingProblem, freeTextProblem } from './free-text.ts';
export { idNumberFieldNames, scanStrings } from './string-scan.ts';
export {
  containsResidentId,
  isDivisionCode,
  isValidResidentId,
  isValidUscc,
  residentIdCheckCharacter,
  residentIdProblem,
  usccCheckCharacter,
  usccProblem,
} from './identifiers.ts';
export { isCalendarDate, parseTimestamp, shanghaiDate } from './time.ts';
export type { Instant } from './time.ts';
export { isYuanAmount, maxYuan, yuanToFen } from './money.ts';
export {
  baselineMetricIds,
  dataSchemas,
  divisionPaths,
  eventTypes,
  idNumberPaths,
  isEventType,
  maxCount,
  maxIdentifierLength,
  maxNameLength,
} from './event-types.ts';
export type { BaselineMetricId, EventData, EventType } from './event-types.ts';
export { earliestEventMs, envelopeFields, isEventId, isSourceName, maxClockSkewMs, maxEventBytes } from './envelope.ts';
export type { ValidatedEvent } from './envelope.ts';
export { rejectionReasons, validateEvent } from './validate-event.ts';
export { validationOptionsFor } from './deployment-validation.ts';
export type { ValidationDeployment } from './deployment-validation.ts';
export type { RejectionReason, ValidationOptions, ValidationRejectionReason, ValidationResult } from './validate-event.ts';
