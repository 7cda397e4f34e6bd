/** Base class of the maintenance package's errors (rebuild, reconcile). */
export class MaintenanceError extends Error {
  override readonly name: string = 'MaintenanceError';
}

/** DynamoDB kept returning unprocessed writes: the rebuild stopped part-way and must be run again. */
export class RebuildIncompleteError extends MaintenanceError {
  override readonly name = 'RebuildIncompleteError';
}

/** No way to run maintenance is configured in this environment. */
export class MaintenanceUnavailableError extends MaintenanceError {
  override readonly name = 'MaintenanceUnavailableError';
}
