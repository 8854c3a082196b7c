import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceInfo } from '../../../src/media.js';
import { buildFfmpegArgs, rungDir } from '../../../src/transcode/command.js';
import { planLadder } from '../../../src/transcode/ladder.js';
import type { Profile } from '../../../src/transcode/profile.js';
import { AAC, defaultProfile, source } from './fixtures.js';

const WORK = '/srv/shopcast/work/demo-shop/m1abc01';

function build(src: SourceInfo, profile: Profile = defaultProfile()): string[] {
  return buildFfmpegArgs({ ladder: planLadder({ profile, source: src }), source: src, workDir: WORK, profile });
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
    for (const i of [0, 1, 2, 3, 4]) {
      assert.equal(valueOf(args, `-c:v:${i}`), 'libx264');
      assert.equal(valueOf(args, `-force_key_frames:v:${i}`), 'expr:gte(t,n_forced*2)');
      assert.equal(valueOf(args, `-g:v:${i}`), '60');
      assert.equal(valueOf(args, `-keyint_min:v:${i}`), '60');
      assert.equal(valueOf(args, `-sc_threshold:v:${i}`), '0');
      assert.equal(valueOf(args, `-profile:v:${i}`), 'high');
      assert.equal(valueOf(args, `-pix_fmt:v:${i}`), 'yuv420p');
      assert.equal(valueOf(args, `-preset:v:${i}`), 'veryfast');
      assert.equal(valueOf(args, `-tune:v:${i}`), 'zerolatency');
    }
    const values = (...options: string[]): string[] => options.map((option) => valueOf(args, option));
    assert.deepEqual(values('-b:v:0', '-maxrate:v:0', '-bufsize:v:0'), ['3000k', '3300k', '3300k']);
    assert.deepEqual(values('-level:v:0', '-level:v:1', '-level:v:2', '-level:v:3', '-level:v:4'), ['31', '31', '30', '21', '12']);
    assert.equal(valueOf(args, '-var_stream_map'), 'v:0,a:0 v:1,a:1 v:2,a:2 v:3,a:3 v:4,a:4');
  });

  it('passthrough ladder: the source rung is copied and encoded rungs take keyframes from the source', () => {
    const args = build(source());
    assert.equal(valueOf(args, '-c:v:0'), 'copy');
    assert.equal(args[args.indexOf('-c:v:0') - 1], '0:v:0');
    assert.equal(
      valueOf(args, '-filter_complex'),
      '[0:v:0]split=2[s0][s1];[s0]scale=854:480,setsar=1,split=2[v0][s2];[s1]scale=640:360,setsar=1,split=2[v1][s3];' +
        '[s2]scale=426:240,setsar=1[v2];[s3]scale=284:160,setsar=1[v3]',
    );
    for (const i of [1, 2, 3, 4]) assert.equal(valueOf(args, `-force_key_frames:v:${i}`), 'source');
    assert.ok(!args.includes('-force_key_frames:v:0'));
    assert.equal(args.filter((a) => a === 'copy').length, 4, 'video of rung 0 and the AAC audio of the three upper rungs');
    // The two low rungs carry less audio than the 160 kb/s stream: encoded at their own rate.
    assert.deepEqual([valueOf(args, '-c:a:3'), valueOf(args, '-b:a:3')], ['aac', '64k']);
    assert.deepEqual([valueOf(args, '-c:a:4'), valueOf(args, '-b:a:4')], ['aac', '48k']);
    assert.equal(valueOf(args, '-filter:a:4'), 'aresample=48000:async=1');
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

  it('video-only: no audio maps, video-only variants', () => {
    const args = build(source({}, null));
    assert.ok(!args.includes('0:a:0'));
    assert.equal(valueOf(args, '-var_stream_map'), 'v:0 v:1 v:2 v:3 v:4');
  });

  it('non-AAC audio is encoded to AAC per rung with timestamps smoothed', () => {
    const args = build(source({}, { ...AAC, codec: 'mp3', codecString: null }));
    for (const [i, kbps] of [[0, 128], [1, 128], [2, 128], [3, 64], [4, 48]] as const) {
      assert.equal(valueOf(args, `-c:a:${i}`), 'aac');
      assert.equal(valueOf(args, `-b:a:${i}`), `${kbps}k`);
      assert.equal(valueOf(args, `-filter:a:${i}`), 'aresample=48000:async=1');
    }
  });

  it('one HLS muxer writing fMP4 into numbered rung folders, without deleting anything', () => {
    const args = build(source());
    assert.equal(valueOf(args, '-hls_segment_type'), 'fmp4');
    assert.equal(valueOf(args, '-hls_time'), '2');
    assert.equal(valueOf(args, '-hls_list_size'), '6');
    assert.equal(valueOf(args, '-hls_fmp4_init_filename'), 'init.mp4');
    assert.equal(valueOf(args, '-hls_flags'), 'independent_segments');
    assert.equal(valueOf(args, '-start_number'), '0');
    assert.equal(valueOf(args, '-hls_segment_filename'), `${WORK}/%v/seg%d.m4s`);
    assert.equal(args.at(-1), `${WORK}/%v/index.m3u8`);
    assert.ok(!args.some((a) => a.includes('delete_segments')));
    assert.equal(rungDir(WORK, 2), `${WORK}/2`);
  });

  it('letterboxes when a reconnecting source changed its aspect ratio', () => {
    const profile = defaultProfile();
    const previous = planLadder({ profile, source: source({ width: 1080, height: 1920 }) });
    const rotated = source({ width: 1920, height: 1080 });
    const ladder = planLadder({ profile, source: rotated, previous });
    const graph = valueOf(buildFfmpegArgs({ ladder, source: rotated, workDir: WORK, profile }), '-filter_complex');
    assert.match(graph, /scale=720:1280:force_original_aspect_ratio=decrease,pad=720:1280:\(ow-iw\)\/2:\(oh-ih\)\/2/);
  });

  it('puts nothing on the command line but options, codecs and workDir paths (ps shows it to every user)', () => {
    const sources = [source(), source({ keyframeIntervalS: 5 }, null), source({ width: 1080, height: 1920 })];
    for (const args of sources.map((src) => build(src))) {
      for (const arg of args) {
        if (arg.includes('/')) assert.ok(arg.startsWith(`${WORK}/`) || arg === '(ow-iw)/2', arg);
        // Stream keys are 22+ characters of [A-Za-z0-9_-]; option names are the only such runs allowed.
        if (!arg.startsWith('-')) assert.doesNotMatch(arg.replace(`${WORK}/`, ''), /[A-Za-z0-9_-]{22,}/, arg);
      }
    }
  });
});
