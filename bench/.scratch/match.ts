import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { startShopcast } from '../../test/e2e/helpers/shopcast.js';
import { publisherArgs } from '../../test/e2e/helpers/publisher.js';
import { readPlaylist } from '../playlist.js';
import { decodeGray, measureSsim } from '../media-files.js';
import { matchFrames } from '../frame-match.js';
const dir = '/tmp/match'; mkdirSync(dir, { recursive: true });
const sc = await startShopcast({ name: 'bench-try', env: { SHOPCAST_LOG_LEVEL: 'warn' } });
const args = publisherArgs({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
const url = args.pop()!; args.splice(args.length - 2, 2);
args.push('-map', '0:v', '-map', '1:a', '-flags', '+global_header', '-f', 'tee', `[f=flv]${url}|[f=flv]${dir}/source.flv`);
const t0 = Date.now();
const pub = spawn('ffmpeg', args, { stdio: ['ignore', 'inherit', 'inherit'] });
const get = async (u: string) => Buffer.from(await (await fetch(u)).arrayBuffer());
await new Promise((r) => setTimeout(r, 6000));
const master = readPlaylist(await (await fetch(sc.httpUrl + '/live/demo/master.m3u8')).text(), sc.httpUrl + '/live/demo/master.m3u8');
if (master.kind !== 'master') throw new Error();
for (const v of master.variants) {
  const pl = readPlaylist(await (await fetch(v.url)).text(), v.url);
  if (pl.kind !== 'media') throw new Error();
  const s = pl.segments[0]!;
  writeFileSync(`${dir}/first-${v.height}.mp4`, Buffer.concat([await get(s.mapUrl!), await get(s.url)]));
  console.log('first', v.height, s.url, (Date.now() - t0) / 1000);
}
await new Promise((r) => setTimeout(r, 14000));
for (const v of master.variants) {
  const pl = readPlaylist(await (await fetch(v.url)).text(), v.url);
  if (pl.kind !== 'media') throw new Error();
  const segs = pl.segments.slice(-3);
  const bufs = [await get(segs[0]!.mapUrl!)];
  for (const s of segs) bufs.push(await get(s.url));
  writeFileSync(`${dir}/clip-${v.height}.mp4`, Buffer.concat(bufs));
}
pub.kill('SIGINT');
await new Promise((r) => pub.once('exit', r));
await sc.stop();
const src = await decodeGray({ ffmpegPath: 'ffmpeg', file: `${dir}/source.flv` });
console.log('source frames', src.frames.length);
for (const h of [720, 480, 360]) {
  for (const kind of ['first', 'clip']) {
    const t = Date.now();
    const probe = await decodeGray({ ffmpegPath: 'ffmpeg', file: `${dir}/${kind}-${h}.mp4` });
    const m = matchFrames({ source: src, probe, probeFrames: 20 });
    console.log(kind, h, probe.frames.length, m, Date.now() - t, 'ms');
    if (kind === 'clip' && m) {
      const t2 = Date.now();
      console.log(await measureSsim({ ffmpegPath: 'ffmpeg', clip: `${dir}/${kind}-${h}.mp4`, source: `${dir}/source.flv`, sourceFrame: m.offset, frames: probe.frames.length, sourceWidth: 1280, sourceHeight: 720, sourceFps: 30 }), Date.now() - t2, 'ms');
      for (const d of [-1, 1]) console.log(' off', d, (await measureSsim({ ffmpegPath: 'ffmpeg', clip: `${dir}/${kind}-${h}.mp4`, source: `${dir}/source.flv`, sourceFrame: m.offset + d, frames: probe.frames.length, sourceWidth: 1280, sourceHeight: 720, sourceFps: 30 })).all);
    }
  }
}
