/** Test servers on the loopback interface. */
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on a free loopback port; resolves with its base URL (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One request to DynamoDB as a proxy in front of it sees it. */
export interface ProxiedRequest {
  /** `PutItem`, `TransactWriteItems`, … (from `X-Amz-Target`). */
  readonly operation: string;
  /** The request's JSON body, parsed. */
  readonly input: Record<string, unknown>;
  readonly outgoing: ServerResponse;
  /** Sends the request on, unchanged; `onAnswer` gets DynamoDB's response. */
  forward(onAnswer: (response: IncomingMessage) => void): void;
}

/** A server that hands every request to `handle`, to forward to the DynamoDB endpoint `target` (or answer itself). */
export function dynamoDbProxyServer(target: string, handle: (request: ProxiedRequest) => void): Server {
  const { hostname, port } = new URL(target);
  return createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      handle({
        operation: String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? '',
        input: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>,
        outgoing,
        forward: (onAnswer) => {
          const upstream = request({ hostname, port, method: incoming.method, path: incoming.url, headers: incoming.headers }, onAnswer);
          upstream.on('error', (error) => outgoing.destroy(error));
          upstream.end(body);
        },
      });
    });
  });
}
