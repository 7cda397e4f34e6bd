/** Base class of every error the indicators package throws. */
export class IndicatorError extends Error {
  override readonly name: string = 'IndicatorError';
}

/** A period string that is not one of `2026`, `2026-Q4`, `2026-11`, `2026-11-24`, `all`. */
export class InvalidPeriodError extends IndicatorError {
  override readonly name = 'InvalidPeriodError';
}

/** A catalogue entry the evaluator cannot compute (caught by the catalogue test, never by callers). */
export class InvalidDefinitionError extends IndicatorError {
  override readonly name = 'InvalidDefinitionError';
}
