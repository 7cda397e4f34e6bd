import { createHmac } from 'node:crypto';

/**
 * Keyed pseudonyms. An ID number becomes `p_` + 128 bits of
 * HMAC-SHA-256(key, number): stable per deployment, so the same person is
 * recognised across events, and not reversible without the key (an unkeyed
 * hash of an 18-digit ID number could be brute-forced).
 */
export class Pseudonymiser {
  constructor(private readonly key: string) {
    if (key.length < 32) throw new Error('the pseudonym key must be at least 32 characters');
  }

  personRef(idNumber: string): string {
    return `p_${createHmac('sha256', this.key).update(`id:${idNumber.toUpperCase()}`).digest('base64url').slice(0, 22)}`;
  }

  /**
   * Keyed digest of a submitted value that failed validation: `h_` + 128 bits
   * of HMAC-SHA-256 over the field name and the value. Equal values of one
   * field give equal digests (an operator can see that the same bad `type`
   * keeps arriving), yet the text — which may be personal data — is neither
   * stored nor recoverable without the key.
   */
  failedValueHash(field: string, value: string): string {
    return `h_${createHmac('sha256', this.key).update(`failed:${field}:${value}`).digest('base64url').slice(0, 22)}`;
  }

  /** Keyed digest of an event's content, so stored hashes reveal nothing about ID numbers in it. */
  contentHash(value: unknown): string {
    return createHmac('sha256', this.key).update(`event:${canonicalJson(value)}`).digest('base64url').slice(0, 32);
  }

  /** A copy of `data` with the ID number at each path replaced by its pseudonym. */
  pseudonymise<T>(data: T, paths: readonly (readonly string[])[]): T {
    const copy = structuredClone(data) as Record<string, unknown>;
    for (const path of paths) {
      let parent: Record<string, unknown> | undefined = copy;
      for (const segment of path.slice(0, -1)) {
        const next: unknown = parent?.[segment];
        parent = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : undefined;
      }
      const leaf = path[path.length - 1];
      if (parent !== undefined && leaf !== undefined && typeof parent[leaf] === 'string') {
        parent[leaf] = this.personRef(parent[leaf]);
      }
    }
    return copy as T;
  }
}

/** JSON with object keys sorted at every depth: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
