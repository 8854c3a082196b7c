// Requests node:http refuses before any route sees them still get the one JSON error body.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../src/log.js';
import { createOriginServer, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../../src/origin/listener.js';
import { rawGet } from './harness.js';

describe('origin listener', () => {
  const server = createOriginServer((_req, res) => res.end('ok'), createLogger('silent'));
  let port: number;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const bodyOf = (response: string): unknown => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));

  it('answers a malformed request line with 400 and the JSON error body', async () => {
    const { status, response } = await rawGet(port, '/a b\u0000');
    assert.equal(status, 400);
    assert.match(response, /Content-Type: application\/json/);
    assert.deepEqual(bodyOf(response), { error: { code: 'bad_request', message: 'malformed HTTP request' } });
  });

  it('answers oversized headers with 431 and the JSON error body', async () => {
    const { status, response } = await rawGet(port, `/${'x'.repeat(20_000)}`);
    assert.equal(status, 431);
    assert.deepEqual(bodyOf(response), { error: { code: 'headers_too_large', message: 'request headers too large' } });
  });

  it('sets deadlines for headers and whole requests', () => {
    assert.equal(server.headersTimeout, HEADERS_TIMEOUT_MS);
    assert.equal(server.requestTimeout, REQUEST_TIMEOUT_MS);
    assert.ok(HEADERS_TIMEOUT_MS < REQUEST_TIMEOUT_MS);
  });
});
