import { decodeFingerprints } from '../media-files.js';
const dir = '/tmp/match';
const o = { ffmpegPath: 'ffmpeg', sourceWidth: 1280, sourceHeight: 720 };
const src = await decodeFingerprints({ ...o, file: `${dir}/source.flv` });
for (const name of ['first-720', 'first-480', 'first-360', 'clip-720', 'clip-480', 'clip-360']) {
  const probe = await decodeFingerprints({ ...o, file: `${dir}/${name}.mp4`, maxFrames: 15 });
  const a0 = src.width * src.height;
  const out: string[] = [];
  for (let i = 0; i < 15; i++) {
    const b = probe.frames[i]!;
    const costs = src.frames.map((a) => { let s = 0; for (let j = 0; j < a.length; j++) s += Math.abs(a[j]! - b[j]!); return s / a0; });
    const idx = costs.map((c, k) => [k, c] as [number, number]).sort((x, y) => x[1] - y[1]);
    out.push(`${idx[0]![0] - i}(${idx[0]![1].toFixed(2)}/${idx[1]![0]}:${idx[1]![1].toFixed(2)})`);
  }
  console.log(name, out.join(' '));
}
