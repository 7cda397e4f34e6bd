/** Base class of the console's own errors. Messages never carry tokens or personal data. */
export class ConsoleError extends Error {
  override readonly name: string = 'ConsoleError';
}

/** `config.json` is missing or malformed. */
export class ConfigError extends ConsoleError {
  override readonly name = 'ConfigError';
}

/** The API answered with a problem (RFC 9457) or a body the console cannot read. */
export class ApiProblemError extends ConsoleError {
  override readonly name = 'ApiProblemError';
  constructor(
    readonly status: number,
    /** Problem type slug, e.g. `forbidden`; `unreadable` when the body was not a problem. */
    readonly problem: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}

/** The server does not have the route yet (404 `not-found`): the view says so instead of failing. */
export class RouteUnavailableError extends ConsoleError {
  override readonly name = 'RouteUnavailableError';
}

/** The session has expired or was refused (401): the console returns to sign-in. */
export class SignedOutError extends ConsoleError {
  override readonly name = 'SignedOutError';
}
