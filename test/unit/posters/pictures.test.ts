// The rung pictures are decoded from, and their files written whole.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pictureRung, readIfExists, writeFileAtomic } from '../../../src/packager/posters/pictures.js';

const sized = (width: number, height: number): { name: string; rung: { width: number; height: number } } => ({
  name: `${width}x${height}`,
  rung: { width, height },
});

describe('pictureRung', () => {
  it('takes the smallest rung of at least 240 lines', () => {
    const ladder = [sized(1920, 1080), sized(1280, 720), sized(854, 480), sized(640, 360), sized(426, 240), sized(284, 160)];
    assert.equal(pictureRung(ladder)?.name, '426x240');
    assert.equal(pictureRung(ladder.slice(0, 4))?.name, '640x360');
    assert.equal(pictureRung([...ladder].reverse())?.name, '426x240', 'whatever the order');
  });

  it('takes the biggest when every rung is smaller', () => {
    assert.equal(pictureRung([sized(284, 160), sized(256, 144)])?.name, '284x160');
    assert.equal(pictureRung([]), undefined);
  });

  it('counts a portrait rung by its short side', () => {
    assert.equal(pictureRung([sized(360, 640), sized(240, 426), sized(136, 240)])?.name, '240x426');
  });
});

describe('picture files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shopcast-pictures-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes a file whole, leaving no temporary file, and reads it back', async () => {
    const file = path.join(dir, 'a.jpg');
    await writeFileAtomic(file, Uint8Array.from([1, 2, 3]));
    await writeFileAtomic(file, Uint8Array.from([4, 5]));
    assert.deepEqual([...(await readFile(file))], [4, 5]);
    assert.deepEqual(await readdir(dir), ['a.jpg']);
    assert.deepEqual([...((await readIfExists(file)) ?? [])], [4, 5]);
  });

  it('reads no file as undefined and fails a write into no folder without leaving anything', async () => {
    assert.equal(await readIfExists(path.join(dir, 'none.jpg')), undefined);
    await assert.rejects(writeFileAtomic(path.join(dir, 'missing', 'b.jpg'), Uint8Array.from([1])), { code: 'ENOENT' });
  });
});
