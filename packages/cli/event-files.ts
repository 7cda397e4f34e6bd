/**
 * Events to send, read from `.json` files (one event or an array) and
 * `.ndjson` files (one event a line), or from every such file below a folder.
 * Everything is read and parsed before anything is sent, so a broken file
 * sends nothing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { EventFileError } from './errors.ts';

/** One event as read, with where it came from (`file.ndjson:12`, `file.json[3]`). */
export interface EventFromFile {
  readonly event: unknown;
  readonly origin: string;
}

const eventFileExtensions = new Set(['.json', '.ndjson']);

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return filesUnder(path);
      return entry.isFile() && eventFileExtensions.has(extname(entry.name)) ? [path] : [];
    }),
  );
  return nested.flat();
}

/** Events of one file's text; `name` is used in origins and errors only. */
export function parseEventFile(name: string, text: string): EventFromFile[] {
  if (name.endsWith('.ndjson')) {
    const out: EventFromFile[] = [];
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        out.push({ event: JSON.parse(line), origin: `${name}:${index + 1}` });
      } catch (cause) {
        throw new EventFileError(`${name}:${index + 1}: not a JSON value`, { cause });
      }
    });
    return out;
  }
  let parsed: unknown;
  try {
    // A byte-order mark is what spreadsheet tools write; JSON.parse refuses it.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new EventFileError(`${name}: not JSON`, { cause });
  }
  if (Array.isArray(parsed)) return parsed.map((event, index) => ({ event, origin: `${name}[${index}]` }));
  return [{ event: parsed, origin: name }];
}

/**
 * Every event in `path` (a file, or a folder searched recursively, files in
 * path order), with origins relative to `base`.
 * @throws EventFileError when the path does not exist, has no event files, or a file is not valid JSON/NDJSON.
 */
export async function readEventFiles(path: string, base: string = process.cwd()): Promise<EventFromFile[]> {
  let files: string[];
  try {
    files = (await stat(path)).isDirectory() ? (await filesUnder(path)).sort() : [path];
  } catch (cause) {
    throw new EventFileError(`cannot read ${path}`, { cause });
  }
  if (files.length === 0) throw new EventFileError(`no .json or .ndjson files under ${path}`);
  const out: EventFromFile[] = [];
  for (const file of files) out.push(...parseEventFile(relative(base, file) || file, await readFile(file, 'utf8')));
  return out;
}

/** Limits of one `POST /v1/events` request. */
export interface RequestLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/**
 * Splits `events` into consecutive chunks within `limits` (count and JSON
 * body size), keeping their order. An event too large for any request gets a
 * chunk of its own, for the API to refuse.
 */
export function chunkEvents<T>(events: readonly T[], limits: RequestLimits, sizeOf: (event: T) => number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  // "[" and "]" plus a comma between events.
  let bytes = 2;
  for (const event of events) {
    const size = sizeOf(event) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && (current.length >= limits.maxEvents || bytes + size > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 2;
    }
    bytes += current.length > 0 ? size : sizeOf(event);
    current.push(event);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
