import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProfiles, parseProfile, ProfileError } from '../../../src/transcode/profile.js';
import { DEFAULT_PROFILE_JSON } from './fixtures.js';

const PROFILES_DIR = fileURLToPath(new URL('../../../profiles/', import.meta.url));

/** Profile JSON as tests poke at it. */
type ProfileJson = { rungs: Array<Record<string, unknown>>; video: Record<string, unknown>; [key: string]: unknown };

function parseWith(change: (json: ProfileJson) => void): () => unknown {
  const json = structuredClone(DEFAULT_PROFILE_JSON) as ProfileJson;
  change(json);
  return () => parseProfile({ name: 'broken', file: 'profiles/broken.json', json });
}

describe('profiles/default.json', () => {
  it('is the Apple-style 720/480/360 ladder and two low rungs, 2 s segments, veryfast + zerolatency and passthrough', async () => {
    const profile = (await loadProfiles(PROFILES_DIR)).get('default');
    assert.ok(profile);
    assert.equal(profile.name, 'default');
    assert.equal(profile.segmentDurationS, 2);
    assert.equal(profile.passthrough, true);
    assert.deepEqual(profile.video, { preset: 'veryfast', tune: 'zerolatency', maxrateRatio: 1.1, bufferS: 1 });
    assert.deepEqual(profile.audio, { bitrateKbps: 128, sampleRate: 48000 });
    assert.deepEqual(
      profile.rungs.map((r) => [r.name, r.shortSide, r.videoBitrateKbps, r.maxFps, r.audioBitrateKbps]),
      [
        ['720p', 720, 3000, 30, undefined],
        ['480p', 480, 1200, 30, undefined],
        ['360p', 360, 730, 30, undefined],
        // What a weak mobile link holds: about 370 and 150 kb/s with their audio.
        ['240p', 240, 300, 30, 64],
        ['160p', 160, 100, 30, 48],
      ],
    );
  });
});

describe('parseProfile', () => {
  it('names the file and the field of every problem', () => {
    const bad = parseWith((json) => {
      json.rungs[1]!.maxFps = 'thirty';
      json.video.preset = 'warp';
    });
    assert.throws(bad, (err: Error) => {
      assert.ok(err instanceof ProfileError);
      assert.match(err.message, /^profiles\/broken\.json: invalid profile/);
      assert.match(err.message, /rungs\.1\.maxFps: /);
      assert.match(err.message, /video\.preset: /);
      return true;
    });
  });

  it('rejects odd sizes, duplicate names, the reserved name source, and unknown keys', () => {
    assert.throws(parseWith((json) => (json.rungs[0]!.shortSide = 721)), /rungs\.0\.shortSide: must be even/);
    assert.throws(parseWith((json) => (json.rungs[2]!.name = '720p')), /rungs\.2\.name: duplicate rung name '720p'/);
    assert.throws(parseWith((json) => (json.rungs[0]!.name = 'source')), /rungs\.0\.name: 'source' is reserved/);
    assert.throws(parseWith((json) => (json.rungs[0]!.bitrate = 1)), /rungs\.0: Unrecognized key/);
    assert.throws(parseWith((json) => (json.rungs = [])), /rungs: /);
    assert.throws(parseWith((json) => delete json.segmentDurationS), /segmentDurationS: /);
    assert.throws(parseWith((json) => (json.rungs[4]!.audioBitrateKbps = 16)), /rungs\.4\.audioBitrateKbps: /);
  });

  it('orders rungs highest first whatever the file order', () => {
    const profile = parseWith((json) => json.rungs.reverse())() as ReturnType<typeof parseProfile>;
    assert.deepEqual(profile.rungs.map((r) => r.name), ['720p', '480p', '360p', '240p', '160p']);
  });
});

describe('loadProfiles', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopcast-profiles-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails with the file name on invalid JSON', async () => {
    writeFileSync(path.join(dir, 'bad.json'), '{ "segmentDurationS": ');
    const namesTheFile = (err: Error): boolean => err instanceof ProfileError && err.message.startsWith(path.join(dir, 'bad.json'));
    await assert.rejects(loadProfiles(dir), namesTheFile);
  });

  it('fails when there is no profile at all', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'shopcast-profiles-empty-'));
    try {
      await assert.rejects(loadProfiles(empty), /no ladder profiles/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
