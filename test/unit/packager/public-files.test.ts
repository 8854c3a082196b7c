import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { PublicFiles, type MediaFile } from '../../../src/packager/public-files.js';

let mediaDir: string;

before(async () => {
  mediaDir = await mkdtemp(path.join(tmpdir(), 'shopcast-public-'));
});

after(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

async function put(file: MediaFile): Promise<string> {
  const full = path.join(mediaDir, file.slug, file.rung, file.file);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, 'x');
  return full;
}

async function waitFor(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('media left by an earlier process is deleted at start; other files are not', async () => {
  const leftover = await put({ slug: 'old', rung: '720p', file: 'mf3k2a-7.m4s' });
  const foreign = await put({ slug: 'old', rung: '720p', file: 'notes.txt' });
  const files = new PublicFiles({ mediaDir, graceS: 0, log: pino({ level: 'silent' }) });
  await files.start();
  files.stop();
  assert.equal(existsSync(leftover), false);
  assert.equal(existsSync(foreign), true);
});

test('a retired file stays served through its grace, then is deleted; only the retired channel is touched', async () => {
  const files = new PublicFiles({ mediaDir, graceS: 0.5, log: pino({ level: 'silent' }) });
  await files.start();
  const a = { slug: 'a', rung: '360p', file: 's1-0.m4s' };
  const b = { slug: 'b', rung: '360p', file: 's2-0.m4s' };
  for (const file of [a, b]) {
    await put(file);
    files.publish(file);
  }
  assert.equal(files.pathOf(a), path.join(mediaDir, 'a', '360p', 's1-0.m4s'));
  const retiredAt = Date.now();
  files.retireChannel('a');
  assert.equal(files.has(a), true);
  await waitFor('the retired file to go', () => !files.has(a));
  assert.ok(Date.now() - retiredAt >= 500, 'not before the grace');
  assert.equal(existsSync(files.pathOf(a)), false);
  assert.equal(files.has(b), true);
  assert.equal(existsSync(files.pathOf(b)), true);
  files.stop();
});
