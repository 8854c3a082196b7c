import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceInfo } from '../../../src/media.js';
import { buildFfmpegArgs, FIRST_OUTPUT_FD } from '../../../src/transcode/command.js';
import { planLadder } from '../../../src/transcode/ladder.js';
import type { Profile } from '../../../src/transcode/profile.js';
import { AAC, defaultProfile, source } from './fixtures.js';

function build(src: SourceInfo, profile: Profile = defaultProfile()): string[] {
  return buildFfmpegArgs({ ladder: planLadder({ profile, source: src }), source: src, profile, partDurationS: 1 / 3 });
}

/** The options of each output, in order: from after the previous output (or the filter graph) to its `pipe:N`. */
function outputs(args: string[]): string[][] {
  const groups: string[][] = [];
  let from = args.indexOf('-map');
  args.forEach((arg, i) => {
    if (!arg.startsWith('pipe:') || i < from) return;
    groups.push(args.slice(from, i + 1));
    from = i + 1;
  });
  return groups;
}

/** Value following `option` (asserts it is there). */
function valueOf(args: string[], option: string): string {
  const i = args.indexOf(option);
  assert.ok(i >= 0, `missing ${option} in ${args.join(' ')}`);
  return args[i + 1]!;
}

describe('buildFfmpegArgs', () => {
  it('reads FLV from stdin, reports progress on stdout and keeps stderr for problems', () => {
    const args = build(source());
    assert.equal(valueOf(args, '-f'), 'flv');
    assert.equal(valueOf(args, '-i'), 'pipe:0');
    assert.equal(valueOf(args, '-progress'), 'pipe:1');
    assert.equal(valueOf(args, '-loglevel'), 'warning');
    assert.ok(args.includes('-nostats'));
    assert.equal(valueOf(args, '-fpsprobesize'), '0');
  });

  it('encoded-only ladder: one split, a scale per rung, keyframes forced every segment on every rung', () => {
    const args = build(source({ keyframeIntervalS: 5 }));
    assert.equal(
      valueOf(args, '-filter_complex'),
      // A rung at most half another's size is scaled from that rung's picture: 360p from 720p, 240p from 480p...
      '[0:v:0]split=2[s0][s1];' +
        '[s0]scale=1280:720,setsar=1,split=2[v0][s2];' +
        '[s1]scale=854:480,setsar=1,split=2[v1][s3];' +
        '[s2]scale=640:360,setsar=1,split=2[v2][s4];' +
        '[s3]scale=426:240,setsar=1[v3];' +
        '[s4]scale=284:160,setsar=1[v4]',
    );
    const rungs = outputs(args);
    assert.equal(rungs.length, 5);
    rungs.forEach((out, i) => {
      assert.equal(valueOf(out, '-map'), `[v${i}]`);
      assert.equal(valueOf(out, '-c:v'), 'libx264');
      assert.equal(valueOf(out, '-force_key_frames:v'), 'expr:gte(t,n_forced*2)');
      assert.equal(valueOf(out, '-g:v'), '120', 'keyframes only where forced');
      assert.equal(valueOf(out, '-keyint_min:v'), '60');
      assert.equal(valueOf(out, '-sc_threshold:v'), '0');
      assert.equal(valueOf(out, '-profile:v'), 'high');
      assert.equal(valueOf(out, '-pix_fmt'), 'yuv420p');
      assert.equal(valueOf(out, '-preset'), 'veryfast');
      assert.equal(valueOf(out, '-tune'), 'zerolatency');
      assert.equal(out.at(-1), `pipe:${FIRST_OUTPUT_FD + i}`);
    });
    const values = (out: string[], ...options: string[]): string[] => options.map((option) => valueOf(out, option));
    assert.deepEqual(values(rungs[0]!, '-b:v', '-maxrate:v', '-bufsize:v'), ['3000k', '3300k', '3300k']);
    assert.deepEqual(rungs.map((out) => valueOf(out, '-level:v')), ['31', '31', '30', '21', '12']);
  });

  it('passthrough ladder: the source rung is copied and encoded rungs take keyframes from the source', () => {
    const args = build(source());
    const rungs = outputs(args);
    assert.deepEqual([valueOf(rungs[0]!, '-map'), valueOf(rungs[0]!, '-c:v')], ['0:v:0', 'copy']);
    assert.equal(
      valueOf(args, '-filter_complex'),
      '[0:v:0]split=2[s0][s1];[s0]scale=854:480,setsar=1,split=2[v0][s2];[s1]scale=640:360,setsar=1,split=2[v1][s3];' +
        '[s2]scale=426:240,setsar=1[v2];[s3]scale=284:160,setsar=1[v3]',
    );
    for (const out of rungs.slice(1)) assert.equal(valueOf(out, '-force_key_frames:v'), 'source');
    assert.ok(!rungs[0]!.includes('-force_key_frames:v'));
    assert.equal(args.filter((a) => a === 'copy').length, 4, 'video of rung 0 and the AAC audio of the three upper rungs');
    // The two low rungs carry less audio than the 160 kb/s stream: encoded at their own rate.
    assert.deepEqual([valueOf(rungs[3]!, '-c:a'), valueOf(rungs[3]!, '-b:a')], ['aac', '64k']);
    assert.deepEqual([valueOf(rungs[4]!, '-c:a'), valueOf(rungs[4]!, '-b:a')], ['aac', '48k']);
    assert.equal(valueOf(rungs[4]!, '-filter:a'), 'aresample=48000:async=1');
  });

  it('re-times with fps only where a rung caps the rate or the rate is unknown: fps holds a frame back', () => {
    assert.match(valueOf(build(source({ fps: 60 })), '-filter_complex'), /\[s0\]fps=30,scale=854:480/);
    assert.match(valueOf(build(source({ fps: 0 })), '-filter_complex'), /\[s0\]fps=30,scale=854:480/);
    assert.doesNotMatch(valueOf(build(source({ fps: 29.97 })), '-filter_complex'), /fps=/);
    // A rung scaled from a re-timed rung's picture is fed that rung's rate: no second fps filter.
    const graph = valueOf(build(source({ fps: 60 })), '-filter_complex');
    assert.match(graph, /\[s2\]scale=426:240,setsar=1\[v2\]/);
    assert.equal(graph.match(/fps=30/g)?.length, 2, graph);
  });

  it('decodes up to 720p30 on one thread (frame threads delay every frame), larger sources threaded', () => {
    const threadsBeforeInput = (args: string[]): string | undefined => {
      const at = args.indexOf('-threads:v');
      return at >= 0 && at < args.indexOf('-i') ? args[at + 1] : undefined;
    };
    assert.equal(threadsBeforeInput(build(source())), '1');
    assert.equal(threadsBeforeInput(build(source({ width: 1920, height: 1080 }))), undefined);
    assert.equal(threadsBeforeInput(build(source({ fps: 60 }))), undefined);
  });

  it('video-only: no audio maps', () => {
    const args = build(source({}, null));
    assert.ok(!args.includes('0:a:0'));
    assert.equal(outputs(args).length, 5);
  });

  it('non-AAC audio is encoded to AAC per rung with timestamps smoothed', () => {
    const rungs = outputs(build(source({}, { ...AAC, codec: 'mp3', codecString: null })));
    assert.deepEqual(rungs.map((out) => valueOf(out, '-b:a')), ['128k', '128k', '128k', '64k', '48k']);
    for (const out of rungs) {
      assert.equal(valueOf(out, '-c:a'), 'aac');
      assert.equal(valueOf(out, '-filter:a'), 'aresample=48000:async=1');
    }
  });

  it('each rung is fragmented MP4 on its own pipe: a fragment per part and per keyframe, flushed at once, no trailer', () => {
    for (const [i, out] of outputs(build(source())).entries()) {
      assert.equal(valueOf(out, '-f'), 'mp4');
      assert.equal(valueOf(out, '-movflags'), '+frag_keyframe+empty_moov+default_base_moof+skip_trailer');
      assert.equal(valueOf(out, '-frag_duration'), '326667');
      assert.equal(valueOf(out, '-flush_packets'), '1');
      assert.equal(out.at(-1), `pipe:${FIRST_OUTPUT_FD + i}`);
    }
  });

  it('letterboxes when a reconnecting source changed its aspect ratio', () => {
    const profile = defaultProfile();
    const previous = planLadder({ profile, source: source({ width: 1080, height: 1920 }) });
    const rotated = source({ width: 1920, height: 1080 });
    const ladder = planLadder({ profile, source: rotated, previous });
    const graph = valueOf(buildFfmpegArgs({ ladder, source: rotated, profile, partDurationS: 1 / 3 }), '-filter_complex');
    assert.match(graph, /scale=720:1280:force_original_aspect_ratio=decrease,pad=720:1280:\(ow-iw\)\/2:\(oh-ih\)\/2/);
  });

  it('puts nothing on the command line but options and codecs (ps shows it to every user)', () => {
    const sources = [source(), source({ keyframeIntervalS: 5 }, null), source({ width: 1080, height: 1920 })];
    for (const args of sources.map((src) => build(src))) {
      for (const arg of args) {
        if (arg.includes('/')) assert.equal(arg, '(ow-iw)/2');
        // Stream keys are 22+ characters of [A-Za-z0-9_-]; option names are the only such runs allowed.
        if (!arg.startsWith('-')) assert.doesNotMatch(arg, /[A-Za-z0-9_-]{22,}/, arg);
      }
    }
  });
});
