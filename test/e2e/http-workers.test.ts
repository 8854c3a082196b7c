// HTTP workers share the origin's socket: they answer public media from their own copy of the playlists and forward
// the rest to the primary, and a worker that dies is replaced.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { waitForMaster } from './helpers/hls.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

interface Health {
  checks: { httpWorkers: { configured: number; running: number; restarts: number } };
}

/** One request on its own connection, so the kernel picks which process accepts it. */
function fetchFresh(url: string): Promise<{ status: number; body: string; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { Connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, etag: res.headers.etag }));
    });
    req.on('error', reject).end();
  });
}

function workerPids(primary: number): number[] {
  const children = readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return children.map(Number).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('httpWorker'));
}

describe('HTTP workers', { timeout: 120_000 }, () => {
  let sc: Shopcast;
  let publisher: Publisher;

  before(async () => {
    sc = await startShopcast({ name: 'http-workers', env: { SHOPCAST_HTTP_WORKERS: '2' } });
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
    await waitForMaster(sc);
  });

  after(async () => {
    process.kill(sc.process.pid!, 'SIGCONT');
    await publisher?.stop();
    await sc?.stop();
  });

  test('start with the gateway and report in the admin\'s health checks', async () => {
    const health = await sc.adminJson<Health>('/api/health');
    assert.deepEqual(health.checks.httpWorkers, { configured: 2, running: 2, restarts: 0 });
    assert.equal(workerPids(sc.process.pid!).length, 2);
  });

  test('answer playlists and segments while the primary is frozen, and forward the API once it is back', async () => {
    const primary = sc.process.pid!;
    const master = await fetchFresh(`${sc.httpUrl}/live/demo/master.m3u8`);
    const rung = master.body.split('\n').find((line) => line.endsWith('/index.m3u8'))!;
    process.kill(primary, 'SIGSTOP');
    let api: Promise<{ status: number; body: string }> | undefined;
    try {
      // The listening socket is shared: with the primary stopped, only a worker can accept these.
      for (let i = 0; i < 5; i++) {
        const answer = await fetchFresh(`${sc.httpUrl}/live/demo/master.m3u8`);
        assert.equal(answer.status, 200);
        assert.equal(answer.body, master.body);
        assert.equal(answer.etag, master.etag, 'the same version, encoded the same way');
      }
      const media = await fetchFresh(`${sc.httpUrl}/live/demo/${rung}`);
      assert.equal(media.status, 200);
      const segment = media.body.split('\n').filter((line) => line.endsWith('.m4s')).at(-1)!;
      const rungDir = rung.split('/')[0]!;
      assert.equal((await fetchFresh(`${sc.httpUrl}/live/demo/${rungDir}/${segment}`)).status, 200);
      assert.equal((await fetchFresh(`${sc.httpUrl}/live/demo/${rungDir}/zzz-1.m4s`)).status, 404, 'never listed');
      api = fetchFresh(`${sc.httpUrl}/api/channels/demo`);
      const early = await Promise.race([api.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 500))]);
      assert.equal(early, 'waiting', 'the API is the primary\'s: it waits for it');
    } finally {
      process.kill(primary, 'SIGCONT');
    }
    const answered = await api!;
    assert.equal(answered.status, 200);
    assert.equal((JSON.parse(answered.body) as { slug: string }).slug, 'demo');
  });

  test('answer DASH whichever process accepts the connection: workers forward the manifest and track files to the primary', async () => {
    for (let i = 0; i < 8; i++) {
      // Fresh connections spread over the primary and both workers (they share the listening socket).
      const manifest = await fetchFresh(`${sc.httpUrl}/live/demo/manifest.mpd`);
      assert.equal(manifest.status, 200, `request ${i}`);
      assert.match(manifest.body, /<MPD [^>]*type="dynamic"/);
      const init = /initialization="([^"]+\.v\.mp4)"/.exec(manifest.body)![1]!;
      const rung = /<BaseURL>([^<]+)<\/BaseURL>/.exec(manifest.body)![1]!;
      assert.equal((await fetchFresh(`${sc.httpUrl}/live/demo/${rung}${init}`)).status, 200, `track init, request ${i}`);
      assert.equal((await fetchFresh(`${sc.httpUrl}/live/time`)).status, 200);
    }
  });

  test('a worker that dies is replaced and says so in its log and the health checks', async () => {
    const [victim] = workerPids(sc.process.pid!);
    process.kill(victim!, 'SIGKILL');
    const health = await waitFor('a replacement worker', async () => {
      const h = await sc.adminJson<Health>('/api/health');
      return h.checks.httpWorkers.restarts === 1 && h.checks.httpWorkers.running === 2 ? h : undefined;
    }, 15_000);
    assert.equal(health.checks.httpWorkers.configured, 2);
    assert.ok(sc.logs().some((line) => line.msg === 'HTTP worker died; restarting it' && line.pid === victim));
    const pids = workerPids(sc.process.pid!);
    assert.equal(pids.length, 2);
    assert.ok(!pids.includes(victim!));
    assert.equal((await fetchFresh(`${sc.httpUrl}/live/demo/master.m3u8`)).status, 200);
  });
});
