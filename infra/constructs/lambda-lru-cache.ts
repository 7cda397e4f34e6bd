/**
 * Replaces `mnemonist/lru-cache` inside Lambda bundles (see
 * `lambda-bundling.ts`). Its one user there is the DynamoDB client's
 * endpoint cache (`@aws-sdk/endpoint-cache`), which every client builds
 * though endpoint discovery stays off for DynamoDB unless asked for;
 * mnemonist and its dependency obliterator are 7 KB of each minified
 * bundle. This is the part of mnemonist's `LRUCache` the endpoint cache
 * calls, on a `Map`, whose order is insertion order: using or setting a key
 * moves it to the end, so the first key is the least recently used.
 * `test/unit/lambda-lru-cache.test.ts` runs both on the same calls.
 * Only bundles use this; code run with tsx keeps mnemonist.
 */
export default class LRUCache<K, V> {
  readonly capacity: number;
  private readonly items = new Map<K, V>();

  constructor(capacity: number) {
    if (typeof capacity !== 'number' || capacity <= 0) throw new Error('lru-cache: capacity should be positive number.');
    this.capacity = capacity;
  }

  get size(): number {
    return this.items.size;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  /** The value, without making the key the most recently used. */
  peek(key: K): V | undefined {
    return this.items.get(key);
  }

  /** The value, making the key the most recently used. */
  get(key: K): V | undefined {
    if (!this.items.has(key)) return undefined;
    const value = this.items.get(key) as V;
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  /** Sets the key as the most recently used, evicting the least recently used one when full. */
  set(key: K, value: V): this {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value as K);
    return this;
  }

  clear(): void {
    this.items.clear();
  }
}
