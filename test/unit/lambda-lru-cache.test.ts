/**
 * The Lambda bundles' stand-in for mnemonist's LRUCache (infra/constructs/lambda-lru-cache.ts)
 * against mnemonist itself: the same calls, in a long random sequence, give the same answers.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import LRUCache from '../../infra/constructs/lambda-lru-cache.ts';
import { randomSequence } from '../support/workload.ts';

/** The calls the endpoint cache makes. */
interface Cache<K, V> {
  readonly size: number;
  set(key: K, value: V): unknown;
  get(key: K): V | undefined;
  peek(key: K): V | undefined;
  has(key: K): boolean;
  clear(): void;
}
/** mnemonist is CommonJS: its module.exports is the class. */
const MnemonistLRUCache = createRequire(import.meta.url)('mnemonist/lru-cache') as new <K, V>(capacity: number) => Cache<K, V>;

describe('the bundles’ LRU cache', () => {
  it('answers get, peek, has and size as mnemonist’s LRUCache does, over 20,000 random calls at capacities 1 to 5', () => {
    const random = randomSequence(7);
    for (let capacity = 1; capacity <= 5; capacity++) {
      const ours = new LRUCache<string, number>(capacity);
      const theirs = new MnemonistLRUCache<string, number>(capacity);
      for (let call = 0; call < 4000; call++) {
        const key = `k${Math.floor(random() * 8)}`;
        const roll = random();
        if (roll < 0.4) {
          ours.set(key, call);
          theirs.set(key, call);
        } else if (roll < 0.65) expect(ours.get(key)).toBe(theirs.get(key));
        else if (roll < 0.8) expect(ours.peek(key)).toBe(theirs.peek(key));
        else if (roll < 0.98) expect(ours.has(key)).toBe(theirs.has(key));
        else {
          ours.clear();
          theirs.clear();
        }
        expect(ours.size).toBe(theirs.size);
      }
    }
  });

  it('evicts the least recently used key: one read with get keeps a key, one with peek does not', () => {
    const cache = new LRUCache<string, number>(2);
    cache.set('a', 1).set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    cache.peek('a');
    cache.set('d', 4);
    expect([cache.has('a'), cache.has('c'), cache.has('d')]).toEqual([false, true, true]);
  });

  it('refuses a capacity that is not a positive number, as mnemonist does', () => {
    expect(() => new LRUCache(0)).toThrow(/capacity/);
    expect(() => new MnemonistLRUCache(0)).toThrow(/capacity/);
  });
});
