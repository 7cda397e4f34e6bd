import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../packages/local-stack/api-server.ts';
import { startSqsEmulator } from '../../packages/local-stack/emulators.ts';

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

describe('the local stack listens on loopback only', () => {
  it.skipIf(externalAddress === undefined)('the SQS emulator and the API refuse connections on other addresses', async () => {
    const sqs = await startSqsEmulator();
    const api = await startApiServer({ handler: async () => ({ statusCode: 204 }), jwks: { keys: [] } });
    try {
      const sqsPort = Number(new URL(sqs.endpoint).port);
      const apiPort = Number(new URL(api.url).port);
      expect(await accepts('127.0.0.1', sqsPort)).toBe(true);
      expect(await accepts('127.0.0.1', apiPort)).toBe(true);
      expect(await accepts(externalAddress as string, sqsPort)).toBe(false);
      expect(await accepts(externalAddress as string, apiPort)).toBe(false);
    } finally {
      await api.close();
      await sqs.stop();
    }
  });
});
