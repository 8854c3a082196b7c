// Serves the origin app on port 0 for a test, and sends raw request paths that fetch would normalise away.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../src/log.js';
import { createOriginHandler } from '../../../src/origin/index.js';
import { apiFixture, type ApiFixture } from './apiFixture.js';
import { fakeMedia, fakeStatus, type FakeMedia, type FakeStatus } from './fakes.js';

export const PUBLIC_DIR = fileURLToPath(new URL('../../../public', import.meta.url));

export interface Served {
  base: string;
  port: number;
  media: FakeMedia;
  status: FakeStatus;
  api: ApiFixture;
  close(): Promise<void>;
}

export async function serveOrigin(): Promise<Served> {
  const media = fakeMedia();
  const status = fakeStatus();
  const api = apiFixture();
  const server: Server = createServer(
    createOriginHandler({ media, status, log: createLogger('silent'), publicDir: PUBLIC_DIR, api: api.services }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    media,
    status,
    api,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      media.cleanup();
      api.close();
    },
  };
}

/** Sends a GET with the path bytes exactly as given (no URL normalisation), like a hostile client would. */
export function rawGet(port: number, rawPath: string): Promise<{ status: number; response: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      // Not end(): a half-closed socket may be dropped before an asynchronous answer is written.
      socket.write(`GET ${rawPath} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`, 'latin1');
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const response = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0), response });
    });
  });
}
