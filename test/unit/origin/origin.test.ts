// The Origin listener: binds port 0, reports a taken port clearly, and stops promptly despite keep-alive clients.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../../src/log.js';
import { Origin } from '../../../src/origin/index.js';
import { apiFixture } from './apiFixture.js';
import { fakeMedia, fakeStatus } from './fakes.js';
import { PUBLIC_DIR } from './harness.js';

const media = fakeMedia();
after(() => media.cleanup());

function newOrigin(port: number): Origin {
  return new Origin({
    media,
    status: fakeStatus(),
    log: createLogger('silent'),
    publicDir: PUBLIC_DIR,
    api: apiFixture().services,
    host: '127.0.0.1',
    port,
  });
}

function getKeepAlive(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Origin', () => {
  it('listens on a free port and serves', async () => {
    const origin = newOrigin(0);
    const { port } = await origin.start();
    try {
      assert.ok(port > 0);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(res.status, 200);
    } finally {
      await origin.stop();
    }
  });

  it('rejects start() with a clear error when the port is taken', async () => {
    const first = newOrigin(0);
    const { port } = await first.start();
    try {
      await assert.rejects(newOrigin(port).start(), {
        message: `origin: HTTP port 127.0.0.1:${port} is already in use`,
      });
    } finally {
      await first.stop();
    }
  });

  it('stops promptly while a client holds a keep-alive connection', async () => {
    const origin = newOrigin(0);
    const { port } = await origin.start();
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal(await getKeepAlive(agent, port, '/live/demo/master.m3u8'), 200);
      assert.equal(Object.values(agent.freeSockets).flat().length, 1);
      const t0 = performance.now();
      await origin.stop();
      assert.ok(performance.now() - t0 < 1000, `stop took ${Math.round(performance.now() - t0)} ms`);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
    } finally {
      agent.destroy();
    }
  });

  it('lets stop() be called twice', async () => {
    const origin = newOrigin(0);
    await origin.start();
    await origin.stop();
    await origin.stop();
  });
});
