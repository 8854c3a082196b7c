// Replay pictures: the poster's and each pin's moment, made once on the first request from a low rung, kept as files
// in the recording; nothing for what is not a ready recording's, and no grab storm for a picture that cannot be made.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { RecordingStatus } from '../../../src/packager/recording/recording-index.js';
import {
  displayedFrameSeekS,
  posterOffsetS,
  ReplayImages,
  withinReplayS,
  type FrameSource,
  type RecordingFrames,
} from '../../../src/packager/posters/replay-images.js';
import { FrameGrabError } from '../../../src/transcode/frame-grab.js';
import { rung } from '../packager/fixtures.js';
import { FakeFrames, jpeg } from './fixtures.js';

const SHOW = '0b7d5c4e-1f2a-4b3c-8d9e-0a1b2c3d4e5f';
const PIN = '6f1c3a2e-5b4d-4e6f-8a7b-9c0d1e2f3a4b';
const OTHER_PIN = '11111111-2222-4333-8444-555555555555';
const pinName = (pinId: string): string => `pin-${pinId}.jpg`;

describe('moments of a replay', () => {
  it('the poster is a tenth in, at most 30 s, or the first frame of a very short replay', () => {
    assert.equal(posterOffsetS(4), 0);
    assert.equal(posterOffsetS(100), 10);
    assert.equal(posterOffsetS(3600), 30);
  });

  it('a pin outside the replay is shown at its edge', () => {
    assert.equal(withinReplayS(-3, 60), 0);
    assert.equal(withinReplayS(12.5, 60), 12.5);
    assert.ok(withinReplayS(60, 60) < 60);
    assert.equal(withinReplayS(5, 0), 0);
  });

  it('the frame on screen at a moment is found by seeking a frame’s time before it', () => {
    const frameAt = (withinS: number, fps: number): number => Math.ceil(displayedFrameSeekS(withinS, fps) * fps - 1e-9);
    assert.equal(frameAt(1.5, 30), 45, 'exactly on a frame');
    assert.equal(frameAt(1.53, 30), 45, 'between two frames: the one shown');
    assert.equal(frameAt(1.99, 30), 59, 'the last frame of a 2 s segment');
    assert.equal(displayedFrameSeekS(0, 30), 0);
    assert.equal(displayedFrameSeekS(1.5, 0), 1.5, 'no frame rate known');
  });
});

class FakeRecordings implements RecordingFrames {
  status: RecordingStatus = 'ready';
  durationS = 120;
  readonly asked: number[] = [];
  constructor(readonly root: string) {}

  view(showId: string): { status: RecordingStatus; durationS: number } | undefined {
    return showId === SHOW ? { status: this.status, durationS: this.durationS } : undefined;
  }

  frameAt(showId: string, offsetS: number): FrameSource | undefined {
    if (showId !== SHOW || this.status !== 'ready' || offsetS >= this.durationS) return undefined;
    this.asked.push(offsetS);
    const n = Math.floor(offsetS / 2);
    const rungs = [rung('720p', 1280, 720, 2800), rung('360p', 640, 360, 800), rung('160p', 284, 160, 200)];
    const files = rungs.map((r) => ({ rung: r, init: `/rec/${r.name}/r-init0.mp4`, media: `/rec/${r.name}/r-${n}.m4s` }));
    return { rungs: files, withinS: offsetS - n * 2 };
  }

  imagesDir(showId: string): string | undefined {
    return showId === SHOW && this.status === 'ready' ? path.join(this.root, showId, 'images') : undefined;
  }
}

describe('ReplayImages', () => {
  let dir: string;
  let recordings: FakeRecordings;
  let frames: FakeFrames;
  let clock: number;
  let images: ReplayImages;
  const pins = new Map([[PIN, 33.5]]);
  const make = (): ReplayImages =>
    new ReplayImages({
      recordings,
      frames,
      pinOffsetS: (showId, pinId) => (showId === SHOW ? pins.get(pinId) : undefined),
      log: pino({ level: 'silent' }),
      retryAfterS: 60,
      now: () => clock,
    });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shopcast-replay-images-'));
    await mkdir(path.join(dir, SHOW));
    recordings = new FakeRecordings(dir);
    frames = new FakeFrames();
    clock = 0;
    images = make();
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Asks for a picture and answers its grab (if one is asked for) with `bytes`. */
  async function answered(name: string, pinId: string | undefined, bytes: Uint8Array): Promise<number[] | undefined> {
    const before = frames.grabs.length;
    const asked = images.image({ slug: SHOW, name, ...(pinId === undefined ? {} : { pinId }) });
    const grab = await Promise.race([frames.asked(before + 1), asked.then(() => undefined)]);
    grab?.resolve(bytes);
    const image = await asked;
    if (image !== undefined) assert.equal(image.maxAgeS, 86_400);
    return image && [...image.bytes];
  }

  it('makes the poster from the 360p rung, at a tenth of the replay, and keeps it as a file', async () => {
    assert.deepEqual(await answered('poster.jpg', undefined, jpeg(1)), [...jpeg(1)]);
    assert.deepEqual(recordings.asked, [12]);
    assert.deepEqual(frames.last().request, { init: '/rec/360p/r-init0.mp4', media: '/rec/360p/r-6.m4s', atS: 0, maxWidth: 640 });
    assert.deepEqual(await readdir(path.join(dir, SHOW, 'images')), ['poster.jpg'], 'written whole: no temporary file');
    images = make();
    assert.deepEqual(await answered('poster.jpg', undefined, jpeg(2)), [...jpeg(1)], 'served from the file');
    assert.equal(frames.grabs.length, 1);
  });

  it('makes a pin’s picture at the frame on screen when it was pinned', async () => {
    assert.deepEqual(await answered(pinName(PIN), PIN, jpeg(3)), [...jpeg(3)]);
    assert.deepEqual(recordings.asked, [33.5]);
    const { request } = frames.last();
    assert.equal(request.media, '/rec/360p/r-16.m4s');
    assert.ok(Math.abs(request.atS - (1.5 - 1 / 30)) < 0.01, `${request.atS}`);
    assert.deepEqual(await readdir(path.join(dir, SHOW, 'images')), [pinName(PIN)]);
  });

  it('has nothing for an unknown show or pin, a misnamed picture, or a recording not ready', async () => {
    const none = async (target: { slug: string; name: string; pinId?: string }): Promise<void> =>
      assert.equal(await images.image(target), undefined, JSON.stringify(target));
    await none({ slug: 'f0000000-0000-4000-8000-000000000000', name: 'poster.jpg' });
    await none({ slug: SHOW, name: pinName(OTHER_PIN), pinId: OTHER_PIN });
    await none({ slug: SHOW, name: pinName(OTHER_PIN), pinId: PIN });
    await none({ slug: SHOW, name: 'poster.jpg', pinId: PIN });
    await none({ slug: SHOW, name: 'master.m3u8' });
    for (const status of ['recording', 'stopped', 'deleted', 'expired'] as const) {
      recordings.status = status;
      await none({ slug: SHOW, name: 'poster.jpg' });
    }
    assert.equal(frames.grabs.length, 0);
  });

  it('makes a picture asked for by many at once with one grab', async () => {
    const asked = Array.from({ length: 5 }, () => images.image({ slug: SHOW, name: 'poster.jpg' }));
    (await frames.asked(1)).resolve(jpeg(4));
    for (const image of await Promise.all(asked)) assert.deepEqual([...(image?.bytes ?? [])], [...jpeg(4)]);
    assert.equal(frames.grabs.length, 1);
  });

  it('does not try a picture that failed again before a minute passed; a busy grabber is no failure', async () => {
    const failing = images.image({ slug: SHOW, name: 'poster.jpg' });
    (await frames.asked(1)).reject(new FrameGrabError('failed', 'Invalid data found when processing input'));
    assert.equal(await failing, undefined);
    clock = 59_000;
    assert.equal(await images.image({ slug: SHOW, name: 'poster.jpg' }), undefined);
    assert.equal(frames.grabs.length, 1);
    clock = 61_000;
    const busy = images.image({ slug: SHOW, name: 'poster.jpg' });
    (await frames.asked(2)).reject(new FrameGrabError('busy', '32 pictures are already waiting'));
    assert.equal(await busy, undefined);
    assert.deepEqual(await answered('poster.jpg', undefined, jpeg(5)), [...jpeg(5)], 'right after busy');
    assert.equal(frames.grabs.length, 3);
  });

  it('does not bring back the folder of a recording deleted while its picture was made', async () => {
    const asked = images.image({ slug: SHOW, name: 'poster.jpg' });
    const grab = await frames.asked(1);
    await rm(path.join(dir, SHOW), { recursive: true });
    grab.resolve(jpeg(6));
    await asked;
    assert.deepEqual(await readdir(dir), []);
  });
});
