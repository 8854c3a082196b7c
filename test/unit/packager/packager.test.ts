// The packager against real FFmpeg output on pipes, as the transcoder runs it: Debian 5.1, then the bundled 4.1.
import { testBus } from '../bus.js';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parse, type types } from 'hls-parser';
import { EventBus, type ShopcastEvents } from '../../../src/events.js';
import type { JsonValue } from '../../../src/origin/ports.js';
import { Packager } from '../../../src/packager/packager.js';
import type { RunRef } from '../../../src/transcode/run-output.js';
import { parseMedia } from '../../e2e/helpers/hls.js';
import { ladder, packagerOptions } from './fixtures.js';

const DEBIAN_FFMPEG = '/usr/bin/ffmpeg';
const BUNDLED_FFMPEG = path.resolve('node_modules/@ffmpeg-installer/linux-x64/ffmpeg');
const SLUG = 'demo';
const FPS = 30;

let root: string;
let mediaDir: string;
const bus = testBus();
let packager: Packager;
const published: ShopcastEvents['packager.segment'][] = [];

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'shopcast-packager-'));
  mediaDir = path.join(root, 'media');
  packager = new Packager(packagerOptions(bus, root));
  bus.on('packager.segment', (event) => published.push(event));
  await packager.start();
});

after(async () => {
  await packager.stop();
  await rm(root, { recursive: true, force: true });
});

/**
 * Starts one FFmpeg process encoding two rungs (640x360, 320x180) as the supervisor runs it, each rung fragmented MP4
 * on its own pipe into the packager; resolves to the promise of its exit, once every output closed.
 */
function encode(ffmpeg: string, ref: RunRef, seconds: number): { exited: Promise<void> } {
  const rungArgs = (map: string, output: number): string[] => [
    ...['-map', map, '-map', '1:a', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-keyint_min', '60'],
    ...['-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)', '-c:a', 'aac'],
    ...['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+skip_trailer', '-frag_duration', '333333'],
    ...['-flush_packets', '1', `pipe:${3 + output}`],
  ];
  const args = [
    '-hide_banner', '-loglevel', 'error', '-re',
    // -t on the inputs: as an output option it would end only the first output.
    '-f', 'lavfi', '-t', String(seconds), '-i', `testsrc2=size=640x360:rate=${FPS}`,
    '-f', 'lavfi', '-t', String(seconds), '-i', 'sine',
    '-filter_complex', '[0:v]split=2[a][b];[b]scale=320:180[c]',
    ...rungArgs('[a]', 0), ...rungArgs('[c]', 1),
  ];
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  [3, 4].forEach((fd, output) => {
    const stream = child.stdio[fd] as Readable;
    stream.on('data', (chunk: Buffer) => packager.data(ref, output, chunk));
    stream.on('close', () => packager.end(ref, output));
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${ffmpeg} exited with ${code}: ${stderr}`));
    });
  });
  return { exited };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function mediaPlaylist(rung: string): types.MediaPlaylist {
  const body = packager.playlist(SLUG, `${rung}/index.m3u8`)?.body;
  assert.ok(body !== undefined, `${rung} playlist is served`);
  return parseMedia(body);
}

const execFileAsync = promisify(execFile);

/** Video frames ffprobe decodes from a listed segment preceded by the init segment its playlist maps it to. */
async function decodedFrames(rung: string, segment: types.Segment): Promise<number> {
  const initPath = packager.segmentPath(SLUG, rung, segment.map.uri);
  const segmentPath = packager.segmentPath(SLUG, rung, segment.uri);
  assert.ok(initPath !== undefined && segmentPath !== undefined, `${rung}/${segment.uri} and its init are published`);
  const joined = path.join(root, `${rung}-${segment.uri}.mp4`);
  await writeFile(joined, Buffer.concat([await readFile(initPath), await readFile(segmentPath)]));
  const { stdout } = await execFileAsync('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', joined,
  ]);
  return Number.parseInt(stdout.trim(), 10);
}

/** Publishes one run the way the supervisor does: run.started, FFmpeg until it exits, run.ended. */
async function run(runId: string, ffmpeg: string, seconds: number, whileLive?: () => Promise<void>): Promise<number> {
  const anchorWallClockMs = Date.now();
  const ref = { slug: SLUG, runId };
  bus.emit('transcode.run.started', { ...ref, ladder: ladder(), anchorWallClockMs: () => anchorWallClockMs });
  const { exited } = encode(ffmpeg, ref, seconds);
  await whileLive?.();
  await exited;
  bus.emit('transcode.run.ended', { ...ref, expected: true, reason: 'exit' });
  return anchorWallClockMs;
}

test('publishes real FFmpeg runs as one aligned show with a discontinuity, then ends it', async () => {
  assert.equal(packager.playlist(SLUG, 'master.m3u8'), undefined);

  // Run 1, Debian FFmpeg 5.1: 5.5 s → segments of 2, 2 and 1.5 s.
  const firstAnchor = await run('run1', DEBIAN_FFMPEG, 5.5, async () => {
    // The show opens at once; its playlists are served only once every rung lists a segment (2 s later).
    await waitFor('the show to open', () => packager.status(SLUG) !== undefined);
    assert.equal(packager.status(SLUG)?.playable, false);
    assert.equal(packager.playlist(SLUG, 'master.m3u8'), undefined);
    assert.equal(packager.playlist(SLUG, '360p/index.m3u8'), undefined);
    await waitFor('a first segment', () => packager.status(SLUG)?.playable === true);
    const master = packager.playlist(SLUG, 'master.m3u8');
    assert.ok(master !== undefined);
    assert.equal(master.maxAgeS, 1);
    const variants = (parse(master.body) as types.MasterPlaylist).variants;
    assert.deepEqual(
      variants.map((v) => [v.uri, v.resolution?.width]),
      [['360p/index.m3u8', 640], ['180p/index.m3u8', 320]],
    );
    // Published while FFmpeg still runs: the first segment of each rung decodes from the public files.
    for (const rung of ['360p', '180p']) {
      const segment = mediaPlaylist(rung).segments[0];
      assert.ok(segment !== undefined);
      assert.equal(await decodedFrames(rung, segment), 2 * FPS);
    }
  });
  // The short last segment is finished when FFmpeg closes its outputs.
  await waitFor('the last segment of run 1', () => published.length === 6);
  const afterFirst = mediaPlaylist('360p');
  assert.deepEqual(afterFirst.segments.map((s) => [s.mediaSequenceNumber, s.duration]), [[0, 2], [1, 2], [2, 1.5]]);
  assert.deepEqual(
    afterFirst.segments.map((s) => s.programDateTime?.getTime()),
    [firstAnchor, firstAnchor + 2_000, firstAnchor + 4_000],
  );
  assert.equal(mediaPlaylist('180p').segments.length, 3);

  // Run 2, bundled FFmpeg 4.1: 4.5 s → 2, 2 and 0.5 s.
  const secondAnchor = await run('run2', BUNDLED_FFMPEG, 4.5);
  await waitFor('the last segment of run 2', () => published.length === 12);
  const showId = packager.status(SLUG)?.showId ?? '';
  assert.match(showId, /^[a-z0-9]+$/);
  for (const rung of ['360p', '180p']) {
    const playlist = mediaPlaylist(rung);
    assert.equal(playlist.mediaSequenceBase, 2);
    assert.deepEqual(
      playlist.segments.map((s) => [s.uri, s.duration, s.discontinuitySequence, s.map.uri]),
      [
        [`${showId}-2.m4s`, 1.5, 0, `${showId}-init0.mp4`],
        [`${showId}-3.m4s`, 2, 1, `${showId}-init1.mp4`],
        [`${showId}-4.m4s`, 2, 1, `${showId}-init1.mp4`],
        [`${showId}-5.m4s`, 0.5, 1, `${showId}-init1.mp4`],
      ],
    );
    assert.equal(playlist.segments[1]?.programDateTime?.getTime(), secondAnchor);
    for (const segment of playlist.segments) {
      const file = packager.segmentPath(SLUG, rung, segment.uri);
      assert.ok(file !== undefined && existsSync(file), `${rung}/${segment.uri} is on disk`);
      // The newest three are in memory too, byte for byte what is on disk.
      const hot = packager.hotSegment(SLUG, rung, segment.uri);
      if (segment.mediaSequenceNumber < 3) assert.equal(hot, undefined, `${rung}/${segment.uri} is no longer hot`);
      else assert.deepEqual(hot && Buffer.from(hot), await readFile(file), `${rung}/${segment.uri} in memory`);
    }
  }
  // Every rung got every segment, with the same numbers and durations.
  assert.deepEqual(
    published.map((event) => [event.rung, event.msn, event.durationS]),
    [0, 1, 2, 3, 4, 5].flatMap((msn) => {
      const durationS = [2, 2, 1.5, 2, 2, 0.5][msn];
      return [['360p', msn, durationS], ['180p', msn, durationS]];
    }),
  );

  // Segments 0 and 1 left the window: with no grace they are deleted and no longer served.
  const gone = path.join(mediaDir, SLUG, '360p', `${showId}-0.m4s`);
  await waitFor('evicted segments to be deleted', () => !existsSync(gone));
  assert.equal(packager.segmentPath(SLUG, '360p', `${showId}-0.m4s`), undefined);
  assert.ok(existsSync(path.join(mediaDir, SLUG, '180p', `${showId}-init0.mp4`)), 'init 0 is still referenced');

  bus.emit('stream.ended', { slug: SLUG, reason: 'window-expired' });
  await waitFor('ENDLIST', () => packager.status(SLUG)?.ended === true);
  const ended = mediaPlaylist('180p');
  assert.equal(ended.endlist, true);
  assert.equal(ended.segments.length, 4);
  // Typed as JsonValue: the status goes to /api/streams as it is.
  const status: JsonValue | undefined = packager.status(SLUG);
  const lastSegmentAt = packager.status(SLUG)?.rungs[0]?.lastSegmentAt ?? '';
  assert.ok(Date.now() - Date.parse(lastSegmentAt) < 10_000, `last segment at ${lastSegmentAt}`);
  assert.deepEqual(status, {
    showId,
    playable: true,
    ended: true,
    targetDurationS: 2,
    discontinuitySequence: 0,
    rungs: ['360p', '180p'].map((name) => ({ name, mediaSequence: 2, segments: 4, lastSegmentAt })),
  });
  // Every segment of the final window decodes with the init segment its playlist maps it to.
  for (const rung of ['360p', '180p']) {
    const frames = await Promise.all(mediaPlaylist(rung).segments.map((segment) => decodedFrames(rung, segment)));
    assert.deepEqual(frames, [1.5 * FPS, 2 * FPS, 2 * FPS, 0.5 * FPS]);
  }

  assert.equal(packager.segmentPath(SLUG, '../360p', `${showId}-2.m4s`), undefined);
  assert.equal(packager.segmentPath(SLUG, '360p', '../../etc/passwd'), undefined);
  assert.equal(packager.segmentPath('other', '360p', `${showId}-2.m4s`), undefined);
});
