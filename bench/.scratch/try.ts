import { spawn } from 'node:child_process';
import { startShopcast } from '../../test/e2e/helpers/shopcast.js';
import { publisherArgs } from '../../test/e2e/helpers/publisher.js';
const sc = await startShopcast({ name: 'bench-try', env: { SHOPCAST_LOG_LEVEL: 'warn' } });
const args = publisherArgs({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
const url = args.pop()!; args.splice(args.length - 2, 2);
args.push('-map', '0:v', '-map', '1:a', '-flags', '+global_header', '-f', 'tee', `[f=flv]${url}|[f=flv]/tmp/src-try.flv`);
console.log(args.join(' '));
const t0 = Date.now();
const pub = spawn('ffmpeg', args, { stdio: ['ignore', 'inherit', 'inherit'] });
for (let i = 0; i < 14; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  const res = await fetch(sc.httpUrl + '/live/demo/master.m3u8');
  console.log((Date.now() - t0) / 1000, res.status);
}
console.log(JSON.stringify(await sc.json('/api/streams'), null, 1));
console.log(await sc.text('/live/demo/master.m3u8'));
console.log(await sc.text('/live/demo/source/index.m3u8'));
console.log(await sc.text('/live/demo/360p/index.m3u8'));
pub.kill('SIGINT');
await new Promise((r) => pub.once('exit', r));
await sc.stop();
