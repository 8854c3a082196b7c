// The live pipeline end to end with real processes: FFmpeg publisher → RTMP ingest → supervised FFmpeg ladder →
// packager → HTTP origin, checked the way a player and an operator see it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SEGMENTS_AHEAD } from '../../src/packager/render-mpd.js';
import { parseMpd, segmentNumbers, type Mpd } from './helpers/dash.js';
import { parseMaster, parseMedia, probeSegment, probeStreams, waitForMaster } from './helpers/hls.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

interface StreamReport {
  slug: string;
  state: string;
  ingest: { width: number; height: number; fps: number; keyframeIntervalS: number; videoCodec: string } | null;
  transcoder: { pid: number | null; restarts: number; state: string; runId: string } | null;
}

async function mediaPlaylist(sc: Shopcast, rung: string) {
  return parseMedia(await sc.text(`/live/demo/${rung}/index.m3u8`));
}

async function manifest(sc: Shopcast): Promise<Mpd> {
  return parseMpd(await sc.text('/live/demo/manifest.mpd'));
}

async function rungNames(sc: Shopcast): Promise<string[]> {
  return parseMaster(await sc.text('/live/demo/master.m3u8')).variants.map((v) => v.uri.split('/')[0]!);
}

/** Every segment URI listed on every rung, as sequence number → URI. */
async function lastSequence(sc: Shopcast, rung: string): Promise<number> {
  const playlist = await mediaPlaylist(sc, rung);
  return playlist.mediaSequenceBase! + playlist.segments.length - 1;
}

/** Seconds of an xs:duration as the manifest writes them (PT…H…M…S). */
function parseDuration(text: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text);
  if (match === null) return NaN;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** Command lines of every process on the machine (every local user can read them), but `exceptPid`'s. */
function processArgs(exceptPid?: number): string {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => Number.parseInt(line, 10) !== exceptPid)
    .join('\n');
}

describe('live pipeline', { timeout: 240_000 }, () => {
  let sc: Shopcast;
  let publisher: Publisher;

  before(async () => {
    sc = await startShopcast({ name: 'pipeline', env: { SHOPCAST_RECONNECT_WINDOW_S: '6' } });
  });

  after(async () => {
    await publisher?.stop();
    const code = await sc?.stop();
    assert.equal(code, 0, 'shopcast exits cleanly on SIGTERM');
    assert.doesNotMatch(processArgs(), new RegExp(sc.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no FFmpeg left behind');
  });

  test('a wrong stream key is refused, logged without the key, and starts nothing', async () => {
    const wrongKey = 'wrong0key0that0is0long0enough0x';
    const intruder = publish({ url: `${sc.rtmpUrl}/${wrongKey}`, durationS: 3 });
    await waitFor('the refusal in the log', () => sc.logs().some((l) => l.msg === 'publish refused'));
    await intruder.stop();
    const refusal = sc.logs().find((l) => l.msg === 'publish refused')!;
    assert.equal(refusal.reason, 'unknown stream key');
    assert.ok(!sc.rawLogs().includes(wrongKey), 'the refused key is not logged');
    assert.deepEqual((await sc.adminJson<{ streams: StreamReport[] }>('/api/streams')).streams, []);
    assert.equal(sc.logs().filter((l) => l.msg === 'ffmpeg started').length, 0, 'no FFmpeg was started');
    assert.equal((await sc.get('/live/demo/master.m3u8')).status, 404);
  });

  test('a 720p30 publisher becomes an adaptive ladder whose segments decode at the planned sizes', async () => {
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
    const master = await waitForMaster(sc);
    assert.ok(master.variants.length >= 3, `at least 3 rungs, got ${master.variants.length}`);
    const heights = master.variants.map((v) => v.resolution!.height);
    assert.equal(heights[0], 720, 'top rung keeps the source size (never upscaled)');
    assert.ok(heights.includes(480) && heights.includes(360), `480p and 360p rungs: ${heights.join(',')}`);
    for (const variant of master.variants) {
      assert.ok(variant.bandwidth > 0 && variant.averageBandwidth! > 0, 'BANDWIDTH and AVERAGE-BANDWIDTH');
      assert.match(variant.codecs!, /^avc1\.[0-9a-f]{6},mp4a\.40\.\d$/);
      assert.equal(variant.frameRate, 30);
    }
    const work = await mkdtemp(path.join(tmpdir(), 'shopcast-probe-'));
    for (const variant of master.variants) {
      const rung = variant.uri.split('/')[0]!;
      const playlist = await waitFor(`a segment on ${rung}`, async () => {
        const p = await mediaPlaylist(sc, rung);
        return p.segments.length > 0 ? p : undefined;
      });
      const segment = playlist.segments[0]!;
      assert.ok(segment.programDateTime instanceof Date, 'segments carry EXT-X-PROGRAM-DATE-TIME');
      // EXTINF rounded to the nearest second is at most the target duration (a run's first segment is 2.02 s: its
      // video starts an audio frame after the audio).
      assert.ok(segment.duration > 1.5 && Math.round(segment.duration) <= playlist.targetDuration, `${rung}: segment of ${segment.duration} s`);
      const init = await (await sc.get(`/live/demo/${rung}/${segment.map!.uri}`)).arrayBuffer();
      const media = await sc.get(`/live/demo/${rung}/${segment.uri}`);
      assert.equal(media.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const probed = await probeSegment(Buffer.from(init), Buffer.from(await media.arrayBuffer()), path.join(work, `${rung}.mp4`));
      assert.equal(probed.codec, 'h264');
      assert.deepEqual([probed.width, probed.height], [variant.resolution!.width, variant.resolution!.height]);
      assert.ok(probed.frames >= 45, `${rung}: ${probed.frames} frames decoded`);
      assert.ok(probed.hasAudio, `${rung} carries audio`);
    }
    const report = (await sc.adminJson<{ streams: StreamReport[] }>('/api/streams')).streams[0]!;
    assert.equal(report.slug, 'demo');
    assert.deepEqual([report.ingest!.width, report.ingest!.height, report.ingest!.fps], [1280, 720, 30]);
    assert.equal(report.ingest!.keyframeIntervalS, 2);
    assert.equal(report.transcoder!.state, 'running');
  });

  test('DASH over the same segments: a dynamic manifest of the ladder whose video and audio segments, cut from them, decode', async () => {
    const res = await sc.get('/live/demo/manifest.mpd');
    assert.equal(res.headers.get('content-type'), 'application/dash+xml');
    const mpd = parseMpd(await res.text());
    assert.equal(mpd.type, 'dynamic');
    const clock = mpd.UTCTiming?.[0];
    assert.equal(clock?.schemeIdUri, 'urn:mpeg:dash:utc:http-iso:2014');
    const time = await sc.get(clock.value);
    assert.equal(time.headers.get('cache-control'), 'no-store');
    assert.ok(Math.abs(Date.parse(await time.text()) - Date.now()) < 5000, 'the origin tells its time');
    assert.equal(mpd.Period.length, 1, 'one FFmpeg run so far');
    const [video, audio] = mpd.Period[0]!.AdaptationSet;
    assert.equal(video?.contentType, 'video');
    assert.equal(audio?.contentType, 'audio');
    const master = parseMaster(await sc.text('/live/demo/master.m3u8'));
    assert.deepEqual(video.Representation.map((r) => Number(r.height)), master.variants.map((v) => v.resolution!.height), 'every rung');
    // The newest finished one: those after it are listed ahead (low-latency DASH, the next test's).
    const newest = segmentNumbers(video.SegmentTemplate).at(-1 - SEGMENTS_AHEAD)!;
    const work = await mkdtemp(path.join(tmpdir(), 'shopcast-dash-'));
    for (const [set, type] of [[video, 'video'], [audio, 'audio']] as const) {
      for (const representation of set.Representation) {
        const base = `/live/demo/${representation.BaseURL}`;
        const init = Buffer.from(await (await sc.get(base + set.SegmentTemplate.initialization)).arrayBuffer());
        const media = await sc.get(base + set.SegmentTemplate.media.replace('$Number$', String(newest)));
        assert.equal(media.status, 200, `${representation.id} segment ${newest}`);
        assert.equal(media.headers.get('cache-control'), 'public, max-age=31536000, immutable');
        const streams = await probeStreams(init, Buffer.from(await media.arrayBuffer()), path.join(work, `${representation.id}.mp4`));
        assert.deepEqual(streams.map((s) => s.type), [type], `${representation.id} holds its track only`);
        assert.ok(streams[0]!.frames >= (type === 'video' ? 45 : 60), `${representation.id}: ${streams[0]!.frames} frames decoded`);
        if (type === 'video') assert.deepEqual([streams[0]!.width, streams[0]!.height], [Number(representation.width), Number(representation.height)]);
      }
    }
    const rung = master.variants[0]!.uri.split('/')[0]!;
    // Finished or still being made (then sent as it grows), a segment of another show is not this one's.
    for (const msn of [newest, newest + 1]) {
      assert.equal((await sc.get(`/live/demo/${rung}/zz9-${msn}.v.m4s`)).status, 404, `another show's track file ${msn}`);
    }
    assert.equal((await sc.get(`/live/demo/${rung}/${video.SegmentTemplate.media.replace('$Number$', '999999')}`)).status, 404, 'a segment not listed');
    assert.equal((await sc.get(`/live/demo/${rung}/x-1.q.m4s`)).status, 400, 'a malformed name');
  });

  test('low-latency DASH: the segment being made is sent part by part as it is written, the next one held until it starts', async () => {
    // Read the manifest the moment a segment completes, so the one being made has its whole duration to go: read
    // at any time, it may complete before it is asked for and come whole, in one chunk.
    const rung = (await rungNames(sc)).at(-1)!;
    await sc.text(`/live/demo/${rung}/index.m3u8?_HLS_msn=${(await lastSequence(sc, rung)) + 1}`);
    const mpd = parseMpd(await sc.text('/live/demo/manifest.mpd'));
    assert.equal(mpd.ServiceDescription?.Latency?.target, '1200', 'the latency players are asked to keep');
    const [video] = mpd.Period.at(-1)!.AdaptationSet;
    const template = video!.SegmentTemplate;
    assert.equal(template.availabilityTimeComplete, 'false');
    assert.ok(Number(template.availabilityTimeOffset) > 1, 'requested once its first part exists');
    const listed = segmentNumbers(template);
    const base = `/live/demo/${video!.Representation.at(-1)!.BaseURL}`;
    assert.equal(base, `/live/demo/${rung}/`, 'the representation is the rung waited on');
    const urlOf = (msn: number): string => base + template.media.replace('$Number$', String(msn));
    /** The response's chunks with the time each arrived, from the request on. */
    const timed = async (url: string): Promise<{ status: number; chunks: { atMs: number; bytes: Uint8Array }[] }> => {
      const askedMs = Date.now();
      const res = await sc.get(url);
      const chunks: { atMs: number; bytes: Uint8Array }[] = [];
      for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push({ atMs: Date.now() - askedMs, bytes });
      return { status: res.status, chunks };
    };
    const [making, next] = await Promise.all([timed(urlOf(listed.at(-2)!)), timed(urlOf(listed.at(-1)!))]);
    for (const answer of [making, next]) assert.equal(answer.status, 200);
    const spanMs = (answer: typeof making): number => answer.chunks.at(-1)!.atMs - answer.chunks[0]!.atMs;
    assert.ok(making.chunks.length >= 2 && spanMs(making) > 300, `sent as it grows: ${making.chunks.length} chunks over ${spanMs(making)} ms`);
    assert.ok(next.chunks[0]!.atMs >= making.chunks.at(-1)!.atMs - 50, 'the next segment begins when the one before ends');
    assert.ok(spanMs(next) > 1000, `and grows over its duration (${spanMs(next)} ms)`);
    // What was sent as it grew is the finished file, byte for byte, and decodes.
    const whole = Buffer.from(await (await sc.get(urlOf(listed.at(-2)!))).arrayBuffer());
    assert.deepEqual(Buffer.concat(making.chunks.map((c) => c.bytes)), whole);
    const init = Buffer.from(await (await sc.get(base + template.initialization)).arrayBuffer());
    const work = await mkdtemp(path.join(tmpdir(), 'shopcast-lldash-'));
    const [stream] = await probeStreams(init, whole, path.join(work, 'segment.mp4'));
    assert.ok(stream!.frames >= 55, `${stream!.frames} frames decoded`);
    assert.equal((await sc.get(urlOf(listed.at(-1)! + 5))).status, 404, 'a segment too far ahead is not waited for');
  });

  test('the stream key appears in no process argument, file name, playlist or log line', async () => {
    assert.match(processArgs(), /ffmpeg .*-f flv .*pipe:0/, 'the transcoder is running');
    assert.ok(!processArgs(publisher.process.pid).includes(sc.streamKey), 'not on any command line but the publisher\'s');
    const files = execFileSync('find', [sc.dataDir], { encoding: 'utf8' });
    assert.ok(!files.includes(sc.streamKey), 'not in any path under the data folder');
    const playlists = [await sc.text('/live/demo/master.m3u8')];
    for (const rung of await rungNames(sc)) playlists.push(await sc.text(`/live/demo/${rung}/index.m3u8`));
    assert.ok(!playlists.join('\n').includes(sc.streamKey), 'not in any playlist');
    assert.ok(!sc.rawLogs().includes(sc.streamKey), 'not in the log');
  });

  test('kill -9 of the transcoder: new segments within 5 s after a discontinuity, sequence never goes back', async () => {
    const rungs = await rungNames(sc);
    const before = (await sc.adminJson<{ streams: StreamReport[] }>('/api/streams')).streams[0]!.transcoder!;
    const lastBefore = await lastSequence(sc, rungs[0]!);
    process.kill(before.pid!, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor('a segment from the restarted transcoder', async () => {
      const p = await mediaPlaylist(sc, rungs[0]!);
      const firstAfterBreak = p.segments.findIndex((s) => s.discontinuity);
      return firstAfterBreak >= 0 ? p : undefined;
    }, 12_000);
    const recoveredInMs = Date.now() - killedAt;
    assert.ok(recoveredInMs < 5000 + 2500, `recovered in ${recoveredInMs} ms`);
    for (const rung of rungs) {
      const p = await mediaPlaylist(sc, rung);
      assert.ok(p.segments.some((s) => s.discontinuity), `${rung} marks the restart with EXT-X-DISCONTINUITY`);
      assert.ok((await lastSequence(sc, rung)) > lastBefore, `${rung} sequence continues past ${lastBefore}`);
    }
    const after = (await sc.adminJson<{ streams: StreamReport[] }>('/api/streams')).streams[0]!.transcoder!;
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.restarts, before.restarts + 1);
    const sequences = await Promise.all(rungs.map((r) => lastSequence(sc, r)));
    assert.ok(sequences.every((s) => Math.abs(s - sequences[0]!) <= 1), `rungs stay aligned: ${sequences.join(',')}`);
  });

  test('a publisher that drops and comes back inside the window continues the same URLs', async () => {
    const rungs = await rungNames(sc);
    const lastBefore = await lastSequence(sc, rungs[0]!);
    await publisher.stop();
    await waitFor('state reconnecting', async () => (await sc.json<{ state: string }>('/api/channels/demo')).state === 'reconnecting');
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
    await waitFor('new segments after the reconnect', async () => (await lastSequence(sc, rungs[0]!)) >= lastBefore + 2, 15_000);
    assert.deepEqual(await rungNames(sc), rungs, 'the master playlist is unchanged');
    const p = await mediaPlaylist(sc, rungs[0]!);
    assert.ok(p.segments.some((s) => s.discontinuity));
    assert.equal((await sc.json<{ state: string }>('/api/channels/demo')).state, 'live');
    assert.ok(!p.endlist);
    // The encoder restart and the reconnect each began a run: DASH shows each run in the window as a period.
    const periods = (await manifest(sc)).Period;
    assert.ok(periods.length >= 2, `periods: ${periods.map((period) => period.id).join(', ')}`);
    assert.equal(new Set(periods.map((period) => period.id)).size, periods.length, 'one period per run');
    const starts = periods.map((period) => parseDuration(period.start));
    assert.deepEqual([...starts].sort((a, b) => a - b), starts, `periods start in order: ${starts.join(', ')}`);
  });

  test('after the reconnect window the show ends with EXT-X-ENDLIST and the page state says ended', async () => {
    const rungs = await rungNames(sc);
    await publisher.stop();
    await waitFor('ENDLIST', async () => (await mediaPlaylist(sc, rungs[0]!)).endlist, 15_000);
    for (const rung of rungs) assert.ok((await mediaPlaylist(sc, rung)).endlist, `${rung} ended`);
    assert.equal((await sc.json<{ state: string }>('/api/channels/demo')).state, 'ended');
    const ended = await manifest(sc);
    assert.equal(ended.type, 'static', 'the DASH manifest of an ended show is static');
    assert.ok(parseDuration(ended.mediaPresentationDuration ?? '') > 0, 'with its whole duration');
    assert.equal(ended.minimumUpdatePeriod, undefined);
    // FFmpeg writes to pipes: no media file exists outside the public media folder and the show's recording.
    const kept = [`media${path.sep}`, `recordings${path.sep}`];
    const strays = readdirSync(sc.dataDir, { recursive: true }).map(String).filter((f) => /\.(m4s|mp4)$/.test(f) && !kept.some((dir) => f.startsWith(dir)));
    assert.deepEqual(strays, []);
  });
});
