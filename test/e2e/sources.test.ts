// Sources other than a landscape OBS stream, and publish attempts that must be refused, with real processes.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseMaster, parseMedia, probeSegment, waitForMaster } from './helpers/hls.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { freePort, ROOT, SHOPCAST_MAIN, startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

describe('a portrait phone stream without audio', { timeout: 120_000 }, () => {
  let sc: Shopcast;
  let phone: Publisher;

  before(async () => {
    sc = await startShopcast({ name: 'portrait' });
    phone = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, width: 720, height: 1280, audio: false, gopS: 2 });
  });

  after(async () => {
    await phone?.stop();
    await sc?.stop();
  });

  test('gets portrait rungs, never upscaled, without audio', async () => {
    const master = await waitForMaster(sc);
    const sizes = master.variants.map((v) => [v.resolution!.width, v.resolution!.height]);
    assert.deepEqual(sizes[0], [720, 1280], 'top rung is the source size');
    for (const [width, height] of sizes) {
      assert.ok(height! > width!, `portrait ${width}x${height}`);
      assert.ok(height! <= 1280, 'never upscaled');
    }
    assert.ok(sizes.some(([w]) => w === 360), '360p rung is 360 wide in portrait');
    for (const variant of master.variants) assert.doesNotMatch(variant.codecs!, /mp4a/, 'no audio codec listed');
    const work = await mkdtemp(path.join(tmpdir(), 'shopcast-portrait-'));
    const rung = master.variants.at(-1)!.uri.split('/')[0]!;
    const playlist = await waitFor('a segment', async () => {
      const p = parseMedia(await sc.text(`/live/demo/${rung}/index.m3u8`));
      return p.segments.length > 0 ? p : undefined;
    });
    const segment = playlist.segments[0]!;
    const init = Buffer.from(await (await sc.get(`/live/demo/${rung}/${segment.map!.uri}`)).arrayBuffer());
    const media = Buffer.from(await (await sc.get(`/live/demo/${rung}/${segment.uri}`)).arrayBuffer());
    const probed = await probeSegment(init, media, path.join(work, 'p.mp4'));
    assert.deepEqual([probed.width, probed.height], [master.variants.at(-1)!.resolution!.width, master.variants.at(-1)!.resolution!.height]);
    assert.equal(probed.hasAudio, false);
  });

  test('a second publisher on a live channel is refused and the first keeps streaming', async () => {
    const second = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, durationS: 4 });
    await waitFor('the refusal', () => sc.logs().find((l) => l.msg === 'publish refused'));
    await second.stop();
    assert.equal(sc.logs().find((l) => l.msg === 'publish refused')!.reason, 'channel already has a publisher');
    const rung = parseMaster(await sc.text('/live/demo/master.m3u8')).variants[0]!.uri.split('/')[0]!;
    const sequence = async (): Promise<number> => {
      const p = parseMedia(await sc.text(`/live/demo/${rung}/index.m3u8`));
      return p.mediaSequenceBase! + p.segments.length;
    };
    const before = await sequence();
    await waitFor('the first publisher still producing segments', async () => (await sequence()) > before, 10_000);
    assert.equal((await sc.json<{ state: string }>('/api/channels/demo')).state, 'live');
  });
});

describe('a publisher whose keyframes do not fit the segments', { timeout: 120_000 }, () => {
  let sc: Shopcast;
  let obs: Publisher;

  before(async () => {
    sc = await startShopcast({ name: 'long-gop' });
    obs = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, gopS: 5 });
  });

  after(async () => {
    await obs?.stop();
    await sc?.stop();
  });

  test('gets every rung encoded with 2 s segments instead of a copied source rung', async () => {
    const master = await waitForMaster(sc);
    const rungs = master.variants.map((v) => v.uri.split('/')[0]!);
    assert.deepEqual(rungs, ['720p', '480p', '360p', '240p', '160p']);
    assert.deepEqual(master.variants[0]!.resolution, { width: 1280, height: 720 });
    const playlist = await waitFor('three segments', async () => {
      const p = parseMedia(await sc.text('/live/demo/720p/index.m3u8'));
      return p.segments.length >= 3 ? p : undefined;
    }, 20_000);
    for (const segment of playlist.segments) assert.ok(Math.abs(segment.duration - 2) < 0.05, `segment of ${segment.duration} s`);
    assert.ok(sc.logs().some((l) => l.msg.startsWith('source keyframes do not fit')), 'the change of plan is logged');
  });
});

describe('a gateway killed with -9', { timeout: 60_000 }, () => {
  test('leaves no FFmpeg behind: the transcoder ends with its input pipe', async () => {
    const sc = await startShopcast({ name: 'kill9' });
    const publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
    try {
      const pid = await waitFor('a running transcoder', async () => {
        const streams = (await sc.adminJson<{ streams: Array<{ transcoder: { pid: number | null } | null }> }>('/api/streams')).streams;
        return streams[0]?.transcoder?.pid ?? undefined;
      }, 20_000);
      sc.process.kill('SIGKILL');
      // Orphans are reparented; a zombie nobody reaps (state Z) has exited all the same.
      const running = (): boolean => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      await waitFor(`FFmpeg ${pid} to exit`, () => !running(), 10_000);
    } finally {
      await publisher.stop();
      await sc.stop();
    }
  });
});

describe('start-up problems are reported clearly', { timeout: 60_000 }, () => {
  async function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'shopcast-start-'));
    const child = spawn(process.execPath, [SHOPCAST_MAIN], {
      cwd: ROOT,
      env: { ...process.env, SHOPCAST_HOST: '127.0.0.1', SHOPCAST_DATA_DIR: dataDir, SHOPCAST_LOG_LEVEL: 'error', ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, output };
  }

  test('an FFMPEG_PATH that does not exist', async () => {
    const { code, output } = await runUntilExit({
      FFMPEG_PATH: '/nonexistent/ffmpeg',
      SHOPCAST_HTTP_PORT: String(await freePort()),
      SHOPCAST_RTMP_PORT: String(await freePort()),
    });
    assert.equal(code, 1);
    assert.match(output, /FFMPEG_PATH/);
    assert.match(output, /\/nonexistent\/ffmpeg/);
  });

  test('an RTMP port that is taken', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    try {
      const { code, output } = await runUntilExit({ SHOPCAST_RTMP_PORT: String(port), SHOPCAST_HTTP_PORT: String(await freePort()) });
      assert.equal(code, 1);
      assert.match(output, new RegExp(`RTMP port 127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  test('an invalid setting names the variable', async () => {
    const { code, output } = await runUntilExit({ SHOPCAST_HTTP_PORT: 'eighty' });
    assert.equal(code, 2);
    assert.match(output, /SHOPCAST_HTTP_PORT/);
  });
});
