// The state folder on a real disk: what is saved loads back, bad files are skipped, and a failed write neither throws
// nor sticks (the next change is written).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { Logger } from '../../../src/log.js';
import { Show } from '../../../src/packager/show.js';
import type { ChannelState } from '../../../src/packager/show-state.js';
import { StateStore } from '../../../src/packager/state-store.js';
import { ladder } from './fixtures.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'shopcast-state-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A logger that keeps what it was told, to see that a failure was reported. */
function recordingLog(): { log: Logger; lines: { level: number; msg: string; reason?: string }[] } {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

function state(slug: string, segments: number): ChannelState {
  const show = new Show({ showId: 'abc', rungs: ladder().rungs, windowSegments: 6, segmentDurationS: 2 });
  const run = show.beginRun();
  for (let i = 0; i < segments; i++) show.append({ runIndex: run, durationS: 2, programDateTimeMs: i * 2000, publishedAtMs: i * 2000 });
  return { slug, ladder: ladder(), show: show.snapshot(), openRanges: [], files: [], openedAtMs: 0 };
}

test('saves load back; the newest save wins; a removed state is gone', async () => {
  const dir = path.join(root, 'round-trip');
  const store = new StateStore({ dir, log: pino({ level: 'silent' }) });
  await mkdir(dir, { recursive: true });
  for (let n = 1; n <= 5; n++) store.save(state('a', n));
  store.save(state('b', 1));
  await store.idle();
  const loaded = await new StateStore({ dir, log: pino({ level: 'silent' }) }).load();
  assert.deepEqual(loaded.map((s) => [s.slug, s.show.nextMsn]).sort(), [['a', 5], ['b', 1]]);
  assert.deepEqual((await readdir(dir)).sort(), ['a.json', 'b.json'], 'no temporary file stays');
  store.remove('a');
  await store.idle();
  assert.equal(existsSync(path.join(dir, 'a.json')), false);
  store.remove('a');
  await store.idle();
});

test('a corrupt, foreign or half-written file is skipped with one log line; the others load', async () => {
  const dir = path.join(root, 'corrupt');
  await mkdir(dir, { recursive: true });
  const { log, lines } = recordingLog();
  const store = new StateStore({ dir, log });
  store.save(state('good', 2));
  await store.idle();
  await writeFile(path.join(dir, 'bad.json'), '{"version":1,"slug":"bad"');
  await writeFile(path.join(dir, 'other.json'), readFileSync(path.join(dir, 'good.json')));
  await writeFile(path.join(dir, 'good.json.tmp'), 'half a');
  await writeFile(path.join(dir, 'notes.txt'), 'not ours');
  const loaded = await store.load();
  assert.deepEqual(loaded.map((s) => s.slug), ['good']);
  const skipped = lines.filter((line) => line.msg === 'ignoring a show state that cannot be read back');
  assert.equal(skipped.length, 2, 'bad.json and other.json (it names another channel)');
  assert.ok(skipped.some((line) => /names channel "good"/.test(line.reason ?? '')));
  assert.equal(existsSync(path.join(dir, 'good.json.tmp')), false, 'a write the process died in is cleared');
  assert.equal(existsSync(path.join(dir, 'notes.txt')), true, 'other files are left alone');
});

test('a write that fails (the folder is unusable) is logged, never thrown; the next change is written', async () => {
  const dir = path.join(root, 'failing');
  await writeFile(dir, 'a file where the folder should be');
  const { log, lines } = recordingLog();
  const store = new StateStore({ dir, log });
  store.save(state('demo', 1));
  await store.idle();
  assert.equal(lines.filter((line) => line.msg.startsWith('persisting the show state failed')).length, 1);
  await rm(dir);
  await mkdir(dir);
  store.save(state('demo', 2));
  await store.idle();
  const loaded = await store.load();
  assert.deepEqual(loaded.map((s) => s.show.nextMsn), [2]);
});
