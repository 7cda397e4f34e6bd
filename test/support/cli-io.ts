/** A fake world for `run` of the CLI: a fetch that records requests and answers as told, and captured output. */
import { generateLocalSigningKeys } from '../../packages/auth/local-tokens.ts';
import type { CliIo } from '../../packages/cli/reform.ts';

const keys = await generateLocalSigningKeys();

export function fakeCliIo(answer: (url: string, init?: RequestInit) => Response) {
  let out = '';
  let err = '';
  const requests: { url: string; method: string; body?: string }[] = [];
  const cliIo: CliIo = {
    stdout: { write: (t) => void (out += t) },
    stderr: { write: (t) => void (err += t) },
    env: {},
    fetch: async (url, init) => {
      requests.push({ url, method: init?.method ?? 'GET', ...(typeof init?.body === 'string' ? { body: init.body } : {}) });
      return answer(url, init);
    },
    localJwtKey: async () => keys.privateJwk,
    cwd: '/',
  };
  return { cliIo, requests, out: () => out, err: () => err };
}

/** An answer of status 200 with `body` as JSON. */
export const okJson = (body: unknown) => () => new Response(JSON.stringify(body), { status: 200 });
