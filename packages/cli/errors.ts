/** Base class of every error the `reform` CLI reports; messages are shown to the user as they are. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}

/** The command line itself is wrong: exit code 2, with the usage text. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}

/** An event file that cannot be read or parsed; names the file and line, never its content. */
export class EventFileError extends CliError {
  override readonly name = 'EventFileError';
}

/** The API answered with an RFC 9457 problem (or another non-success status). */
export class ApiProblemError extends CliError {
  override readonly name = 'ApiProblemError';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    options?: ErrorOptions,
  ) {
    super(detail === undefined || detail === '' ? `error ${status}: ${title}` : `error ${status}: ${title} — ${detail}`, options);
  }
}

/** The API could not be reached at all. */
export class ApiUnreachableError extends CliError {
  override readonly name = 'ApiUnreachableError';
}
