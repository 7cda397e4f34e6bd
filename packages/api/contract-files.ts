/**
 * The published machine-readable contract as files: their paths under
 * `docs/contract/` and exact text. One function feeds both the generator
 * (`npm run contracts`) and the test that checks the checked-in copies.
 */
import { eventTypes } from '../contract/event-types.ts';
import { eventJsonSchema } from '../contract/json-schema.ts';
import { buildOpenApi } from './openapi.ts';

/** Where the published contract lives, relative to the repository root. */
export const contractDirectory = 'docs/contract';

/** Two-space JSON with a final newline: stable, diff-friendly text. */
export function contractJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Every published file, path (relative to {@link contractDirectory}) → text:
 * `events/<type>.schema.json` for each event type, and `openapi.json`.
 */
export function contractFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const type of eventTypes) files.set(`events/${type}.schema.json`, contractJson(eventJsonSchema(type)));
  files.set('openapi.json', contractJson(buildOpenApi()));
  return files;
}
