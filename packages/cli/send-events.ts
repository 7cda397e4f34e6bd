/**
 * `reform send`: events from files, POSTed in chunks the API accepts, with
 * progress on stderr and a summary of what was queued and what was refused.
 * Only positions, keys, reasons and the API's details are ever printed; event
 * data (which can hold ID numbers) never is.
 */
import type { ReformApiClient, SubmissionResult } from './api-client.ts';
import type { EventFromFile, RequestLimits } from './event-files.ts';
import { chunkEvents } from './event-files.ts';
import type { ProgressStream } from './progress.ts';
import { ProgressReporter } from './progress.ts';

/** Limits of `POST /v1/events` (API.md: at most 100 events; the local server and handler take 1 MiB bodies). */
export const postLimits: RequestLimits = { maxEvents: 100, maxBytes: 1024 * 1024 };

/** A result of the API, placed in the whole send: `index` counts across all files. */
export interface SentEventResult extends SubmissionResult {
  readonly origin: string;
}

export interface SendReport {
  readonly total: number;
  readonly requests: number;
  readonly results: readonly SentEventResult[];
}

/**
 * Sends `events` in order, chunk after chunk, and reports every result.
 * @throws ApiProblemError/ApiUnreachableError when a request fails as a whole;
 * `partial` on the error then holds the results so far.
 */
export async function sendEvents(
  events: readonly EventFromFile[],
  client: Pick<ReformApiClient, 'submitEvents'>,
  progressStream: ProgressStream,
  limits: RequestLimits = postLimits,
): Promise<SendReport> {
  const chunks = chunkEvents(events, limits, (item) => Buffer.byteLength(JSON.stringify(item.event) ?? 'null'));
  const progress = new ProgressReporter(progressStream, events.length);
  const results: SentEventResult[] = [];
  let offset = 0;
  let requests = 0;
  try {
    for (const chunk of chunks) {
      const answered = await client.submitEvents(chunk.map((item) => item.event));
      requests++;
      for (const result of answered) {
        results.push({ ...result, index: offset + result.index, origin: chunk[result.index]?.origin ?? '?' });
      }
      offset += chunk.length;
      progress.update(offset);
    }
  } catch (error) {
    (error as { partial?: SendReport }).partial = { total: events.length, requests, results };
    throw error;
  } finally {
    progress.finish();
  }
  return { total: events.length, requests, results };
}

/**
 * The summary: a headline (`250 events in 3 requests: 247 queued, 3 rejected
 * (invalid_data 2, forbidden_type 1)`) and one line per rejected event
 * (index, origin, source, id, reason, detail).
 */
export function formatSendReport(report: SendReport): string[] {
  const queued = report.results.filter((r) => r.status === 'queued').length;
  const rejected = report.results.filter((r) => r.status === 'rejected');
  const byReason = new Map<string, number>();
  for (const r of rejected) byReason.set(r.reason ?? 'unknown', (byReason.get(r.reason ?? 'unknown') ?? 0) + 1);
  const reasons = [...byReason].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason, n]) => `${reason} ${n}`);
  const unsent = report.total - report.results.length;
  const headline =
    `${report.total} event${report.total === 1 ? '' : 's'} in ${report.requests} request${report.requests === 1 ? '' : 's'}: ${queued} queued, ${rejected.length} rejected` +
    (reasons.length > 0 ? ` (${reasons.join(', ')})` : '') +
    (unsent > 0 ? `, ${unsent} not sent` : '');
  const lines = [headline];
  for (const r of rejected) {
    lines.push(`  #${r.index}  ${r.origin}  ${r.source ?? '-'}  ${r.id ?? '-'}  ${r.reason ?? 'unknown'}${r.detail ? `  ${r.detail}` : ''}`);
  }
  return lines;
}
