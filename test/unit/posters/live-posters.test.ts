// Live posters: one grab per channel per interval from a low rung, never two at once, kept in memory and on disk,
// served with a short max-age, surviving failed grabs and removed with their channel.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { EventBus } from '../../../src/events.js';
import { LivePosters } from '../../../src/packager/posters/live-posters.js';
import type { PublishedSegment } from '../../../src/packager/published-segment.js';
import { FrameGrabError } from '../../../src/transcode/frame-grab.js';
import { testBus } from '../bus.js';
import { rung } from '../packager/fixtures.js';
import { capturedLog, FakeFrames, jpeg, WARN } from './fixtures.js';

function published(slug: string, msn: number): PublishedSegment {
  const rungs = [rung('720p', 1280, 720, 2800), rung('360p', 640, 360, 800), rung('160p', 284, 160, 200)];
  return {
    slug,
    mediaShowId: 'm1',
    msn,
    runIndex: 0,
    durationS: 2,
    programDateTimeMs: 1_000_000 + msn * 2000,
    runTimeS: msn * 2,
    discontinuity: false,
    rungs: rungs.map((r) => ({
      rung: r,
      segmentPath: `/media/${slug}/${r.name}/m1-${msn}.m4s`,
      initPath: `/media/${slug}/${r.name}/m1-init0.mp4`,
    })),
  };
}

describe('LivePosters', () => {
  let dir: string;
  let bus: EventBus;
  let frames: FakeFrames;
  let clock: number;
  let posters: LivePosters;
  const make = (log = pino({ level: 'silent' })): LivePosters =>
    new LivePosters({ bus, frames, postersDir: path.join(dir, 'posters'), log, intervalS: 5, now: () => clock });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shopcast-live-posters-'));
    bus = testBus();
    frames = new FakeFrames();
    clock = 0;
    posters = make();
    posters.start();
  });

  afterEach(async () => {
    for (const grab of frames.grabs) grab.reject(new Error('test over'));
    await posters.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Publishes segment `msn` of `slug` at `atS` seconds on the clock. */
  const publish = (slug: string, msn: number, atS: number): void => {
    clock = atS * 1000;
    bus.emit('packager.published', published(slug, msn));
  };

  it('grabs the first frame of the 360p rung’s segment, at most once per interval', async () => {
    for (let msn = 0; msn < 6; msn += 1) {
      const before = frames.grabs.length;
      publish('shop', msn, msn * 2);
      if (frames.grabs.length > before) frames.last().resolve(jpeg(msn));
      await posters.idle();
    }
    assert.deepEqual(
      frames.grabs.map((g) => g.request),
      [0, 3].map((msn) => ({ init: '/media/shop/360p/m1-init0.mp4', media: `/media/shop/360p/m1-${msn}.m4s`, atS: 0, maxWidth: 640 })),
      'at 0 s and 6 s; not at 2 s and 4 s (inside the interval), 8 s and 10 s (inside the next)',
    );
  });

  it('never starts a second grab of a channel while one is running, and throttles each channel alone', async () => {
    publish('shop', 0, 0);
    publish('shop', 1, 20);
    publish('other', 0, 20);
    assert.equal(frames.grabs.length, 2, 'the slow grab of shop holds its next back; other grabs at once');
    for (const grab of frames.grabs) grab.resolve(jpeg(1));
    await posters.idle();
    publish('shop', 2, 21);
    assert.equal(frames.grabs.length, 3, 'the interval counts from the start of the last grab');
    assert.equal(frames.last().request.media, '/media/shop/360p/m1-2.m4s');
  });

  it('serves the newest poster with a five-second max-age, and only the poster of a channel', async () => {
    assert.equal(await posters.image({ slug: 'shop', name: 'poster.jpg' }), undefined, 'none yet');
    publish('shop', 0, 0);
    frames.last().resolve(jpeg(1));
    await posters.idle();
    publish('shop', 3, 6);
    frames.last().resolve(jpeg(2));
    await posters.idle();
    const image = await posters.image({ slug: 'shop', name: 'poster.jpg' });
    assert.deepEqual(image && { bytes: [...image.bytes], maxAgeS: image.maxAgeS }, { bytes: [...jpeg(2)], maxAgeS: 5 });
    assert.equal(await posters.image({ slug: 'shop', name: 'master.m3u8' }), undefined);
    assert.equal(await posters.image({ slug: 'shop', name: 'poster.jpg', pinId: '6f1c3a2e-0000-4000-8000-000000000000' }), undefined);
    assert.equal(await posters.image({ slug: '../shop', name: 'poster.jpg' }), undefined);
  });

  it('keeps the poster on disk, written whole, for a restarted gateway and an offline channel', async () => {
    publish('shop', 0, 0);
    frames.last().resolve(jpeg(7));
    await posters.idle();
    const postersDir = path.join(dir, 'posters');
    assert.deepEqual(await readdir(postersDir), ['shop.jpg'], 'no temporary file left');
    assert.deepEqual([...(await readFile(path.join(postersDir, 'shop.jpg')))], [...jpeg(7)]);
    const restarted = make();
    assert.deepEqual([...((await restarted.image({ slug: 'shop', name: 'poster.jpg' }))?.bytes ?? [])], [...jpeg(7)]);
    assert.equal(await restarted.image({ slug: 'nobody', name: 'poster.jpg' }), undefined);
  });

  it('survives a failed grab with one warning and tries again at the next interval', async () => {
    await posters.stop();
    const { log, lines } = capturedLog();
    posters = make(log);
    posters.start();
    publish('shop', 0, 0);
    frames.last().reject(new FrameGrabError('failed', 'Invalid data found when processing input'));
    await posters.idle();
    const warnings = lines.filter((line) => line.level >= WARN);
    assert.deepEqual(
      warnings.map(({ msg, slug, reason }) => ({ msg, slug, reason })),
      [{ msg: 'live poster not made', slug: 'shop', reason: 'failed' }],
    );
    assert.equal(await posters.image({ slug: 'shop', name: 'poster.jpg' }), undefined);
    publish('shop', 1, 2);
    assert.equal(frames.grabs.length, 1, 'a failure does not shorten the interval');
    publish('shop', 3, 6);
    frames.last().resolve(jpeg(3));
    await posters.idle();
    assert.deepEqual([...((await posters.image({ slug: 'shop', name: 'poster.jpg' }))?.bytes ?? [])], [...jpeg(3)]);
  });

  it('does not warn when the grabber is busy with other pictures', async () => {
    await posters.stop();
    const { log, lines } = capturedLog();
    posters = make(log);
    posters.start();
    publish('shop', 0, 0);
    frames.last().reject(new FrameGrabError('busy', '32 pictures are already waiting'));
    await posters.idle();
    assert.equal(lines.filter((line) => line.level >= WARN).length, 0);
    assert.ok(lines.some((line) => line.msg === 'live poster not made' && line.reason === 'busy'));
  });

  it('forgets a deleted channel’s poster, in memory and on disk, even one being made', async () => {
    publish('shop', 0, 0);
    frames.last().resolve(jpeg(1));
    await posters.idle();
    publish('shop', 3, 6);
    bus.emit('channel.deleted', { slug: 'shop' });
    frames.last().resolve(jpeg(2));
    await posters.idle();
    for (let tries = 0; (await readdir(path.join(dir, 'posters'))).length > 0; tries += 1) {
      assert.ok(tries < 100, 'the file is removed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(await posters.image({ slug: 'shop', name: 'poster.jpg' }), undefined);
  });
});
