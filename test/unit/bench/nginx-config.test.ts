import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseProfile } from '../../../src/transcode/profile.js';
import {
  fillTemplate,
  hlsVariantLines,
  referenceLadder,
  transcoderOutputLines,
} from '../../../bench/nginx-config.js';
import { ROOT } from '../../e2e/helpers/shopcast.js';

const profileFile = path.join(ROOT, 'profiles', 'default.json');
const profile = parseProfile({ name: 'default', file: profileFile, json: JSON.parse(readFileSync(profileFile, 'utf8')) });
const SOURCE = { width: 1280, height: 720, fps: 30 };

describe('referenceLadder', () => {
  it('encodes every profile rung, the source-sized one too, with the profile rates and VBV', () => {
    assert.deepEqual(
      referenceLadder(profile, SOURCE).map((r) => [r.suffix, r.width, r.height, r.videoBitrateKbps, r.maxrateKbps, r.bufsizeKbps, r.audioBitrateKbps]),
      [
        ['_720p', 1280, 720, 3000, 3300, 3300, 128],
        ['_480p', 854, 480, 1200, 1320, 1320, 128],
        ['_360p', 640, 360, 730, 803, 803, 128],
        ['_240p', 426, 240, 300, 330, 330, 64],
        ['_160p', 284, 160, 100, 110, 110, 48],
      ],
    );
  });

  it('copies the rung as tall as the source, video and audio, for nginx-c-copy, and only that one', () => {
    const copied = referenceLadder(profile, SOURCE, { copyTop: true });
    assert.deepEqual(copied.map((r) => r.copy), [true, false, false, false, false]);
    assert.deepEqual(referenceLadder(profile, SOURCE).map((r) => r.copy), [false, false, false, false, false]);
    const [top, next] = transcoderOutputLines(copied, { profile, rtmpPort: 19350 }).split('\n');
    assert.equal(top, '  -map 0:v -map 0:a -c:v copy -c:a copy -f flv "rtmp://127.0.0.1:19350/hls/${name}_720p" \\');
    assert.match(next ?? '', /-c:v libx264 .* -s 854x480 /);
  });

  it('caps the frame rate only where the profile does', () => {
    const capped = { ...profile, rungs: profile.rungs.map((r) => ({ ...r, maxFps: 25 })) };
    assert.deepEqual(referenceLadder(capped, SOURCE).map((r) => r.fpsCap), [25, 25, 25, 25, 25]);
    assert.deepEqual(referenceLadder(profile, SOURCE).map((r) => r.fpsCap), [null, null, null, null, null]);
  });
});

describe('nginx-c config pieces', () => {
  const ladder = referenceLadder(profile, SOURCE);

  it('declares one hls_variant per rung', () => {
    assert.equal(
      hlsVariantLines(ladder).trim().split('\n')[1]?.trim(),
      'hls_variant _480p BANDWIDTH=1328000,RESOLUTION=854x480;',
    );
  });

  it('gives the transcoder one output per rung with the profile x264 settings and a 2 s GOP', () => {
    const lines = transcoderOutputLines(ladder, { profile, rtmpPort: 19350 }).split('\n');
    assert.equal(lines.length, 5);
    assert.equal(
      lines[2],
      '  -map 0:v -map 0:a -c:v libx264 -preset veryfast -tune zerolatency -b:v 730k -maxrate 803k -bufsize 803k ' +
        '-s 640x360 -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 128k -ar 48000 ' +
        '-f flv "rtmp://127.0.0.1:19350/hls/${name}_360p" \\',
    );
  });
});

describe('fillTemplate', () => {
  it('fills every placeholder', () => {
    assert.equal(fillTemplate('listen @HOST@:@PORT@;', { HOST: '127.0.0.1', PORT: '8088' }), 'listen 127.0.0.1:8088;');
  });

  it('refuses a placeholder without value and a value without placeholder', () => {
    assert.throws(() => fillTemplate('@A@ @B@', { A: 'x' }), /@B@ has no value/);
    assert.throws(() => fillTemplate('@A@', { A: 'x', C: 'y' }), /no placeholder for @C@/);
  });

  it('fits the reference templates shipped in bench/reference', () => {
    const template = readFileSync(path.join(ROOT, 'bench', 'reference', 'nginx-a.conf'), 'utf8');
    const config = fillTemplate(template, {
      RTMP_MODULE: '/m.so',
      USER: '',
      PREFIX: '/p',
      RTMP_PORT: '1',
      HTTP_PORT: '2',
    });
    assert.match(config, /listen 127\.0\.0\.1:1;/);
    assert.match(config, /hls_fragment 2s;/);
    assert.doesNotMatch(config, /@[A-Z_]+@/);
  });
});
