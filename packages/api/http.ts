/**
 * The API's own view of an HTTP exchange, free of AWS types: the Lambda
 * adapter (functions/api/handler.ts) turns API Gateway events into these.
 */

/** One request, as the router needs it. */
export interface HttpRequest {
  readonly method: string;
  /** The raw (percent-encoded) path, e.g. `/v1/events/hrss.zhongxian/ev%2F1`. */
  readonly path: string;
  /** Query parameters; a repeated name arrives comma-joined, as API Gateway joins it. */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text (already base64-decoded). */
  readonly body?: string;
  /** Claims the authorizer verified; absent on public routes or without a token. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Correlates the request in logs and in ids the API makes up. */
  readonly requestId: string;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Marks an exact number in serialised JSON; a control character, which no accepted text contains. */
const exactMarker = '\u001eexact:';

/**
 * A number written into JSON as its exact decimal text: JSON numbers have no
 * precision limit, JavaScript's do (a sum of money past 2^53 fen).
 */
export class ExactNumber {
  constructor(readonly text: string) {}

  toJSON(): string {
    return `${exactMarker}${this.text}`;
  }

  toString(): string {
    return this.text;
  }
}

/** JSON text of `body`, with every {@link ExactNumber} written as a bare number. */
export function toJson(body: unknown): string {
  return JSON.stringify(body).replace(/"\\u001eexact:(-?\d+(?:\.\d+)?)"/g, '$1');
}

/** A JSON answer; never cached: figures change as events arrive. */
export function jsonResponse(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: toJson(body),
  };
}
