// FFmpeg's arguments for a grab, the queue that lets one grab run at a time behind a bounded backlog, and the grab's
// failures that need no FFmpeg (the real one is tested in test/e2e/frame-grab.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BoundedSerialQueue,
  FrameGrabError,
  frameGrabArgs,
  grabFrame,
  type FrameRequest,
} from '../../../src/transcode/frame-grab.js';

/** A promise settled from outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function rejection(promise: Promise<unknown>): Promise<FrameGrabError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof FrameGrabError, `a FrameGrabError, not ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

const settles = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('frameGrabArgs', () => {
  it('decodes one frame of stdin on one thread, quietly, to a JPEG on stdout', () => {
    const args = frameGrabArgs({ atS: 0, maxWidth: 640 });
    for (const flag of ['-hide_banner', '-nostdin']) assert.ok(args.includes(flag), flag);
    const after = (flag: string): string[] => args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? ''] : []));
    assert.deepEqual(after('-loglevel'), ['error']);
    assert.deepEqual(after('-threads'), ['1', '1'], 'decoder and encoder');
    assert.deepEqual(after('-filter_threads'), ['1']);
    assert.deepEqual(after('-i'), ['pipe:0']);
    assert.deepEqual(after('-frames:v'), ['1']);
    assert.deepEqual(after('-c:v'), ['mjpeg']);
    assert.equal(args.at(-1), 'pipe:1');
    assert.ok(args.indexOf('-threads') < args.indexOf('-i'), 'the first -threads is the decoder’s');
  });

  it('scales down to the width asked, never up, and picks the moment counted from the first frame', () => {
    const vf = (atS: number, maxWidth: number): string => {
      const args = frameGrabArgs({ atS, maxWidth });
      return args[args.indexOf('-vf') + 1] ?? '';
    };
    assert.equal(vf(0, 640), "scale=w='min(iw,640)':h=-2");
    assert.equal(vf(1.5, 320.7), "setpts=PTS-STARTPTS,select='gte(t,1.500)',scale=w='min(iw,320)':h=-2");
  });
});

describe('BoundedSerialQueue', () => {
  it('runs one task at a time, in order', async () => {
    const queue = new BoundedSerialQueue({ maxBacklog: 4 });
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const results = gates.map((gate, i) =>
      queue.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await gate.promise;
        running -= 1;
        return i;
      }),
    );
    await settles();
    assert.deepEqual(started, [0]);
    assert.equal(queue.backlog, 2);
    gates[1]?.resolve();
    await settles();
    assert.deepEqual(started, [0], 'the second waits for the first even when it could finish');
    gates[0]?.resolve();
    gates[2]?.resolve();
    assert.deepEqual(await Promise.all(results), [0, 1, 2]);
    assert.deepEqual(started, [0, 1, 2]);
    assert.equal(most, 1);
  });

  it('refuses a task at once when the backlog is full, and takes tasks again once it drained', async () => {
    const queue = new BoundedSerialQueue({ maxBacklog: 1 });
    const gate = deferred<void>();
    const first = queue.run(() => gate.promise.then(() => 'first'));
    const second = queue.run(async () => 'second');
    const refused = await rejection(queue.run(async () => 'third'));
    assert.equal(refused.reason, 'busy');
    gate.resolve();
    assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
    assert.equal(await queue.run(async () => 'later'), 'later');
  });

  it('goes on after a task that failed', async () => {
    const queue = new BoundedSerialQueue({ maxBacklog: 2 });
    const failed = queue.run(async () => {
      throw new Error('broken');
    });
    const next = queue.run(async () => 'next');
    await assert.rejects(failed, /broken/);
    assert.equal(await next, 'next');
  });

  it('stop() aborts the running task, refuses the waiting ones and every later one', async () => {
    const queue = new BoundedSerialQueue({ maxBacklog: 2 });
    let aborted = false;
    const running = queue.run(
      (signal) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve('aborted');
          });
        }),
    );
    const waiting = queue.run(async () => 'never');
    await settles();
    await queue.stop();
    assert.equal(aborted, true);
    assert.equal(await running, 'aborted');
    assert.equal((await rejection(waiting)).reason, 'stopped');
    assert.equal((await rejection(queue.run(async () => 'late'))).reason, 'stopped');
  });
});

describe('grabFrame', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shopcast-grab-frame-'));
    await writeFile(path.join(dir, 'init.mp4'), 'init');
    await writeFile(path.join(dir, 'media.m4s'), 'media');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const request = (media: string): FrameRequest => ({
    init: path.join(dir, 'init.mp4'),
    media: path.join(dir, media),
    atS: 0,
    maxWidth: 640,
  });
  const limits = { timeoutMs: 5_000, maxOutputBytes: 1024 };

  it('fails without starting FFmpeg when a segment is gone', async () => {
    const failed = await rejection(grabFrame('/nonexistent/ffmpeg', request('gone.m4s'), limits));
    assert.equal(failed.reason, 'no-input');
    assert.ok(!failed.message.includes(dir), 'names no file');
  });

  it('fails when FFmpeg cannot be run', async () => {
    const failed = await rejection(grabFrame('/nonexistent/ffmpeg', request('media.m4s'), limits));
    assert.equal(failed.reason, 'failed');
    assert.match(failed.message, /could not run FFmpeg/);
  });
});
