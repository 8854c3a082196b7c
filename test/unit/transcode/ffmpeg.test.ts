// Runs the real binaries of the reference machine: Debian's ffmpeg on PATH and the bundled @ffmpeg-installer build.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { assertSupports, missingFeatures, resolveFfmpeg } from '../../../src/transcode/ffmpeg.js';

const log = pino({ level: 'silent' });
const BUNDLED = /node_modules\/@ffmpeg-installer\/linux-x64\/ffmpeg$/;

describe('resolveFfmpeg', () => {
  it('without FFMPEG_PATH and without ffmpeg-static, takes ffmpeg from PATH (Debian 5.1)', async () => {
    const info = await resolveFfmpeg({ log, env: { PATH: '/nonexistent:/usr/bin' } });
    assert.equal(info.source, 'PATH');
    assert.equal(info.path, '/usr/bin/ffmpeg');
    assert.equal(info.major, 5);
    assert.match(info.version, /^5\.1/);
    assert.equal(info.ffprobePath, '/usr/bin/ffprobe');
    assert.deepEqual(missingFeatures(info), []);
  });

  it('falls back to @ffmpeg-installer/ffmpeg (4.1 snapshot) when nothing is on PATH; it is good enough', async () => {
    const info = await resolveFfmpeg({ log, env: { PATH: '' } });
    assert.equal(info.source, '@ffmpeg-installer/ffmpeg');
    assert.match(info.path, BUNDLED);
    assert.equal(info.major, 4);
    assert.equal(info.ffprobePath, null);
    assert.ok(info.encoders.has('libx264'));
    assert.ok(info.hlsOptions.get('hls_segment_type')?.has('fmp4'));
    assert.doesNotThrow(() => assertSupports(info, { name: 'default' }));
  });

  it('uses FFMPEG_PATH first, and refuses one that is not executable', async () => {
    const bundled = await resolveFfmpeg({ log, env: { PATH: '' } });
    const chosen = await resolveFfmpeg({ log, ffmpegPath: bundled.path, env: { PATH: '/usr/bin' } });
    assert.equal(chosen.source, 'FFMPEG_PATH');
    assert.equal(chosen.path, bundled.path);
    assert.equal(chosen.ffprobePath, '/usr/bin/ffprobe');
    await assert.rejects(
      resolveFfmpeg({ log, ffmpegPath: '/nonexistent/ffmpeg' }),
      /FFMPEG_PATH=\/nonexistent\/ffmpeg is not an executable file/,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'shopcast-ffmpeg-'));
    try {
      const plain = path.join(dir, 'ffmpeg');
      writeFileSync(plain, 'not a program', { mode: 0o644 });
      await assert.rejects(resolveFfmpeg({ log, ffmpegPath: plain }), /not an executable file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
