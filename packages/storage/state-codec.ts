/**
 * How state items are laid out in the State table. An item is stored as its
 * attributes, except one that would pass {@link pageBytes} (a person holding
 * thousands of certificates): that one is stored as JSON text split over a
 * head item (`pages`, `version`, the first part) and continuation items
 * `<key>#P<n>`, so no stored item ever nears DynamoDB's 400 KB limit, whatever
 * the sequence of events.
 */
import type { StateItem } from '../domain/state.ts';

/** Most bytes of JSON text one stored item carries. */
export const pageBytes = 300_000;

export const continuationKey = (key: string, page: number): string => `${key}#P${page}`;

/** The stored items of one state item: the head first, then continuations. */
export function encodeState(key: string, item: StateItem): Record<string, unknown>[] {
  const text = JSON.stringify(item);
  if (Buffer.byteLength(text, 'utf8') <= pageBytes) return [{ pk: key, ...item }];
  const parts = splitText(text, pageBytes);
  return [
    { pk: key, version: item.version, pages: parts.length, body: parts[0] },
    ...parts.slice(1).map((body, i) => ({ pk: continuationKey(key, i + 1), body })),
  ];
}

/** The number of stored pages of a head item (1 for an item stored as attributes). */
export function pagesOf(head: Record<string, unknown>): number {
  return typeof head['pages'] === 'number' ? head['pages'] : 1;
}

/** The state item from its head and, for a paged one, its continuations in order. */
export function decodeState(head: Record<string, unknown>, continuations: readonly Record<string, unknown>[]): StateItem {
  if (pagesOf(head) === 1) {
    const { pk: _pk, ...item } = head;
    return item as unknown as StateItem;
  }
  return JSON.parse([head, ...continuations].map((part) => String(part['body'])).join('')) as StateItem;
}

/** Splits text into parts of at most `bytes` UTF-8 bytes, never inside a character. */
export function splitText(text: string, bytes: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    // Characters are at most 4 bytes (2 UTF-16 units): a quarter of the budget in units always fits.
    let end = Math.min(text.length, start + Math.floor(bytes / 2));
    while (Buffer.byteLength(text.slice(start, end), 'utf8') > bytes) end -= Math.ceil((end - start) / 8);
    if (end < text.length && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}
