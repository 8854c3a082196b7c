import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ladder } from '../../../src/media.js';
import { keyframeIntervalWaitMs, keyframesFit, LadderError, planLadder } from '../../../src/transcode/ladder.js';
import { AAC, defaultProfile, source } from './fixtures.js';

/** 'name WxH@fps copy|<kbps>k' per rung. */
const summary = (ladder: Ladder): string[] =>
  ladder.rungs.map((r) => `${r.name} ${r.width}x${r.height}@${r.fps} ${r.passthrough ? 'copy' : `${r.videoBitrateKbps}k`}`);
const sizes = (ladder: Ladder): string[] => ladder.rungs.map((r) => `${r.name} ${r.width}x${r.height}`);
/** The rungs a weak mobile link can hold, below 360p in every landscape 16:9 ladder. */
const LOW_RUNGS = ['240p 426x240@30 300k', '160p 284x160@30 100k'];
const ENCODED_720P = ['720p 1280x720@30 3000k', '480p 854x480@30 1200k', '360p 640x360@30 730k', ...LOW_RUNGS];

describe('planLadder', () => {
  it('720p30 with 2 s GOPs: the source is copied, lower rungs encoded, highest first', () => {
    const ladder = planLadder({ profile: defaultProfile(), source: source() });
    assert.equal(ladder.profile, 'default');
    assert.equal(ladder.segmentDurationS, 2);
    assert.deepEqual(summary(ladder), ['source 1280x720@30 copy', '480p 854x480@30 1200k', '360p 640x360@30 730k', ...LOW_RUNGS]);
    assert.equal(ladder.rungs[0]!.codecs, 'avc1.64001f,mp4a.40.2');
    assert.equal(ladder.rungs[0]!.videoBitrateKbps, 4000);
  });

  it('720p without passthrough encodes a 720p rung at the source size instead of losing the top quality', () => {
    const ladder = planLadder({ profile: defaultProfile(), source: source({ keyframeIntervalS: 5 }) });
    assert.deepEqual(summary(ladder), ENCODED_720P);
    assert.ok(ladder.rungs.every((r) => !r.passthrough));
  });

  it('1080p: every profile rung fits below it; passthrough on top only when allowed', () => {
    const src = source({ width: 1920, height: 1080, codecString: 'avc1.640028', bitrateKbps: 6000 });
    assert.deepEqual(summary(planLadder({ profile: defaultProfile(), source: src })), [
      'source 1920x1080@30 copy',
      '720p 1280x720@30 3000k',
      '480p 854x480@30 1200k',
      '360p 640x360@30 730k',
      ...LOW_RUNGS,
    ]);
    const noPassthrough = planLadder({ profile: defaultProfile({ passthrough: false }), source: src });
    assert.deepEqual(summary(noPassthrough), ENCODED_720P);
  });

  it('portrait 9:16 keeps its aspect: the short side is the width', () => {
    const ladder = planLadder({ profile: defaultProfile(), source: source({ width: 1080, height: 1920 }) });
    assert.deepEqual(summary(ladder), [
      'source 1080x1920@30 copy',
      '720p 720x1280@30 3000k',
      '480p 480x854@30 1200k',
      '360p 360x640@30 730k',
      '240p 240x426@30 300k',
      '160p 160x284@30 100k',
    ]);
  });

  it('never upscales; odd aspect ratios give even sizes', () => {
    const odd = source({ width: 1000, height: 562 });
    const ladder = planLadder({ profile: defaultProfile({ passthrough: false }), source: odd });
    assert.deepEqual(summary(ladder), [
      '720p 1000x562@30 1829k',
      '480p 854x480@30 1200k',
      '360p 640x360@30 730k',
      '240p 428x240@30 300k',
      '160p 284x160@30 100k',
    ]);
    for (const rung of ladder.rungs) assert.ok(rung.width % 2 === 0 && rung.height % 2 === 0);
  });

  it('a tiny source still gets one rung', () => {
    const tiny = source({ width: 256, height: 144, bitrateKbps: 300 });
    assert.deepEqual(summary(planLadder({ profile: defaultProfile(), source: tiny })), ['source 256x144@30 copy']);
    const encoded = planLadder({ profile: defaultProfile({ passthrough: false }), source: tiny });
    // Named after the smallest rung it stands in for, at the source's size, with bits scaled to its pixels, and with
    // that rung's audio.
    assert.deepEqual(summary(encoded), ['160p 256x144@30 81k']);
    assert.deepEqual(encoded.rungs[0]!.audio, { copy: false, bitrateKbps: 48 });
  });

  it('video-only sources get rungs without audio', () => {
    const ladder = planLadder({ profile: defaultProfile(), source: source({}, null) });
    for (const rung of ladder.rungs) {
      assert.equal(rung.audio, null);
      assert.ok(!rung.codecs.includes('mp4a'), rung.codecs);
    }
    assert.deepEqual(ladder.rungs.map((r) => r.codecs), ['avc1.64001f', 'avc1.64001f', 'avc1.64001e', 'avc1.640015', 'avc1.64000c']);
  });

  it('copies AAC audio and encodes anything else to AAC at the profile bitrate', () => {
    const copied = planLadder({ profile: defaultProfile(), source: source() });
    assert.deepEqual(copied.rungs[1]!.audio, { copy: true, bitrateKbps: 160 });
    const he = planLadder({ profile: defaultProfile(), source: source({}, { ...AAC, codecString: 'mp4a.40.5' }) });
    assert.equal(he.rungs[1]!.codecs, 'avc1.64001f,mp4a.40.5');
    const mp3Source = source({}, { ...AAC, codec: 'mp3', codecString: null });
    const mp3 = planLadder({ profile: defaultProfile(), source: mp3Source });
    assert.deepEqual(mp3.rungs[1]!.audio, { copy: false, bitrateKbps: 128 });
    assert.equal(mp3.rungs[1]!.codecs, 'avc1.64001f,mp4a.40.2');
  });

  it('the low rungs encode their audio at their own lower rate, the others keep the stream\'s', () => {
    const ladder = planLadder({ profile: defaultProfile(), source: source() });
    const audio = Object.fromEntries(ladder.rungs.map((r) => [r.name, r.audio]));
    assert.deepEqual(audio, {
      source: { copy: true, bitrateKbps: 160 },
      '480p': { copy: true, bitrateKbps: 160 },
      '360p': { copy: true, bitrateKbps: 160 },
      '240p': { copy: false, bitrateKbps: 64 },
      '160p': { copy: false, bitrateKbps: 48 },
    });
    const low = ladder.rungs.find((r) => r.name === '160p')!;
    assert.equal(low.codecs, 'avc1.64000c,mp4a.40.2');
    assert.equal(low.averageBandwidth, Math.round((100 + 48) * 1000 * 1.03));
    // Never raised: a source whose audio is already below a rung's rate is copied there too.
    const quiet = planLadder({ profile: defaultProfile(), source: source({}, { ...AAC, bitrateKbps: 48 }) });
    assert.ok(quiet.rungs.every((r) => r.audio?.copy === true && r.audio.bitrateKbps === 48));
    // A reconnect keeps each rung's audio rate.
    const again = planLadder({ profile: defaultProfile(), source: source(), previous: ladder });
    assert.deepEqual(again.rungs.map((r) => r.audio), ladder.rungs.map((r) => r.audio));
  });

  it('passthrough depends on the keyframe interval: 1 s and 2 s fit 2 s segments, 5 s and unknown do not', () => {
    const rungNames = (keyframeIntervalS: number | null): string =>
      planLadder({ profile: defaultProfile(), source: source({ keyframeIntervalS }) }).rungs[0]!.name;
    assert.equal(rungNames(2), 'source');
    assert.equal(rungNames(1), 'source');
    assert.equal(rungNames(5), '720p');
    assert.equal(rungNames(null), '720p');
    assert.equal(planLadder({ profile: defaultProfile(), source: source({ codec: 'hevc' }) }).rungs[0]!.name, '720p');
  });

  it('caps the frame rate of encoded rungs; a copied rung keeps the source rate', () => {
    const ladder = planLadder({ profile: defaultProfile(), source: source({ fps: 60, keyframeIntervalS: 2 }) });
    assert.deepEqual(ladder.rungs.map((r) => r.fps), [60, 30, 30, 30, 30]);
    assert.equal(planLadder({ profile: defaultProfile(), source: source({ fps: 25 }) }).rungs[1]!.fps, 25);
  });

  it('BANDWIDTH is the peak (maxrate + audio, 10 % headroom), AVERAGE-BANDWIDTH the targets', () => {
    const rung = planLadder({ profile: defaultProfile(), source: source() }).rungs[1]!;
    assert.equal(rung.bandwidth, Math.round((1320 + 160) * 1000 * 1.1));
    assert.equal(rung.averageBandwidth, Math.round((1200 + 160) * 1000 * 1.03));
    assert.ok(rung.bandwidth > rung.averageBandwidth);
  });

  it('a passthrough rung without a measured bitrate gets an estimate from its size', () => {
    const rung = planLadder({ profile: defaultProfile(), source: source({ bitrateKbps: null }) }).rungs[0]!;
    assert.equal(rung.videoBitrateKbps, 2765);
  });

  it('rejects sources without video', () => {
    assert.throws(() => planLadder({ profile: defaultProfile(), source: { video: null, audio: AAC } }), LadderError);
  });

  describe('reconnect with the previous ladder', () => {
    const previous = planLadder({ profile: defaultProfile(), source: source() });

    it('keeps names and sizes, and passthrough when the new source still fits', () => {
      const again = planLadder({ profile: defaultProfile(), source: source({ bitrateKbps: 3500 }), previous });
      assert.deepEqual(sizes(again), ['source 1280x720', '480p 854x480', '360p 640x360', '240p 426x240', '160p 284x160']);
      assert.equal(again.rungs[0]!.passthrough, true);
    });

    it('turns the passthrough rung into an encoded rung of the same size when keyframes no longer fit', () => {
      const again = planLadder({ profile: defaultProfile(), source: source({ keyframeIntervalS: 5 }), previous });
      assert.deepEqual(summary(again), ['source 1280x720@30 4000k', '480p 854x480@30 1200k', '360p 640x360@30 730k', ...LOW_RUNGS]);
      assert.equal(again.rungs[0]!.codecs, 'avc1.64001f,mp4a.40.2');
    });

    it('keeps the old sizes when the new source has another size (URLs and master playlist stay valid)', () => {
      const again = planLadder({ profile: defaultProfile(), source: source({ width: 1920, height: 1080 }), previous });
      assert.deepEqual(summary(again), ['source 1280x720@30 4000k', '480p 854x480@30 1200k', '360p 640x360@30 730k', ...LOW_RUNGS]);
    });

    it('audio follows the new source', () => {
      const again = planLadder({ profile: defaultProfile(), source: source({}, null), previous });
      assert.ok(again.rungs.every((r) => r.audio === null));
    });
  });
});

describe('keyframesFit', () => {
  const fits = (keyframeIntervalS: number | null, segmentDurationS = 2): boolean =>
    keyframesFit({ keyframeIntervalS, segmentDurationS });

  it('accepts whole GOPs per segment within 2 %', () => {
    assert.equal(fits(2), true);
    assert.equal(fits(1), true);
    assert.equal(fits(0.5), true);
    assert.equal(fits(2.002), true);
    assert.equal(fits(1.97), true);
    assert.equal(fits(4, 4), true);
  });

  it('rejects GOPs longer than a segment, fractions, and unknown intervals', () => {
    assert.equal(fits(5), false);
    assert.equal(fits(4), false);
    assert.equal(fits(3), false);
    assert.equal(fits(1.5), false);
    assert.equal(fits(2.1), false);
    assert.equal(fits(null), false);
    assert.equal(fits(0), false);
  });
});

describe('keyframeIntervalWaitMs', () => {
  const profile = defaultProfile();
  const unknown = source({ keyframeIntervalS: null });

  it('waits about one segment for the second keyframe when passthrough is still possible', () => {
    assert.equal(keyframeIntervalWaitMs({ profile, source: unknown }), 2540);
    const previous = planLadder({ profile, source: source() });
    assert.equal(keyframeIntervalWaitMs({ profile, source: unknown, previous }), 2540);
  });

  it('does not wait when the interval is known or cannot change the plan', () => {
    assert.equal(keyframeIntervalWaitMs({ profile, source: source() }), 0);
    assert.equal(keyframeIntervalWaitMs({ profile: defaultProfile({ passthrough: false }), source: unknown }), 0);
    assert.equal(keyframeIntervalWaitMs({ profile, source: source({ codec: 'hevc', keyframeIntervalS: null }) }), 0);
    const encodedOnly = planLadder({ profile, source: source({ keyframeIntervalS: 5 }) });
    assert.equal(keyframeIntervalWaitMs({ profile, source: unknown, previous: encodedOnly }), 0);
  });
});
