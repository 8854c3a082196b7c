// The data folder fills up during a live show (a small tmpfs, filled and kept full as another process would): the
// gateway says so once in its log and clearly in /healthz and the status API, stays up, keeps its playlists valid and
// the show open; when space is freed, segments flow again without the publisher reconnecting.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor, type Shopcast } from '../e2e/helpers/shopcast.js';
import { ADMIN_TOKEN, health, startGateway, stream } from './helpers/gateway.js';
import { describeWatch, startLiveShow, type LiveShow } from './helpers/liveShow.js';
import { recordFigures } from './helpers/report.js';

const TMPFS_SIZE = '160m';
/** How long the disk stays full: the show must hold on through it. */
const FULL_FOR_MS = 20_000;
const FULL_LINE = /data folder full/;

/** Writes `file` until the file system says ENOSPC; returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, 'a');
  const block = Buffer.alloc(256 * 1024, 0x5a);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // The last partial block: down to the last byte.
  const fdSmall = openSync(file, 'a');
  try {
    for (;;) written += writeSync(fdSmall, Buffer.alloc(4096, 0x5a));
  } catch {
    // ENOSPC: full.
  } finally {
    closeSync(fdSmall);
  }
  return written;
}

describe('a full data folder during a live show', { timeout: 300_000 }, () => {
  let mountDir: string;
  let sc: Shopcast;
  let show: LiveShow;

  before(async () => {
    mountDir = mkdtempSync(path.join(tmpdir(), 'shopcast-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mountDir]);
    sc = await startGateway({ name: 'reliability-disk', dataDir: mountDir });
    show = await startLiveShow(sc);
  });

  after(async () => {
    await show?.stop();
    await sc?.stop();
    if (mountDir) {
      execFileSync('umount', [mountDir]);
      rmSync(mountDir, { recursive: true, force: true });
    }
  });

  const fullLines = (): string[] => sc.logs().filter((l) => FULL_LINE.test(l.msg)).map((l) => `${l.level} ${l.msg}`);

  test('pauses with one clear log line and status, keeps the show and its playlists, and resumes when space returns', async (t) => {
    await show.watch.waitForNewSegments(2);
    const before = await stream(sc);
    assert.equal(before?.transcoder?.state, 'running');
    const showId = before?.packager?.showId;

    const filler = path.join(mountDir, 'filler');
    const filledBytes = fill(filler);
    // Another process keeps the disk full: whatever the gateway frees is taken again.
    const keepFull = setInterval(() => fill(`${filler}-more`), 250);
    const fullAt = Date.now();
    try {
      const paused = await waitFor('the transcoder to pause', async () => {
        const s = await stream(sc);
        return s?.transcoder?.state === 'waiting-for-space' ? s : undefined;
      }, 10_000, 100);
      const pausedAfterMs = Date.now() - fullAt;
      assert.match(paused.transcoder?.lastError ?? '', FULL_LINE, 'the status API says why');
      const probe = await health(sc);
      assert.equal(probe.status, 503, '/healthz is not ok');
      assert.equal(probe.body.ok, false);
      const dataDir = probe.body.checks?.dataDir as { full?: boolean; freeBytes?: number } | undefined;
      assert.equal(dataDir?.full, true, `/healthz (admin) says the disk is full: ${JSON.stringify(probe.body.checks)}`);

      // Hostile or not, a write while the disk is full gets an answer and never ends the process.
      const chat = await fetch(`${sc.httpUrl}/api/channels/demo/chat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ name: 'Seller', text: 'still here' }),
      });
      const chatStatus = chat.status;
      assert.ok((await chat.text()).startsWith('{'), 'chat answered JSON');

      await new Promise((r) => setTimeout(r, FULL_FOR_MS - (Date.now() - fullAt)));
      const during = await stream(sc);
      assert.equal(sc.process.exitCode, null, 'the gateway is up');
      assert.equal(during?.transcoder?.state, 'waiting-for-space', 'still waiting: it did not give up');
      assert.equal(during?.state, 'live', 'ingest still has the publisher');
      assert.equal(during?.packager?.ended, false, 'the show did not end');
      assert.equal(show.publisher.process.exitCode, null, 'the publisher is still connected');
      assert.deepEqual(fullLines(), [`50 ${during?.transcoder?.lastError}; the show stays open`], 'one clear log line, at error');
      assert.deepEqual(show.watch.figures().violations, [], 'playlists stayed valid while full');

      clearInterval(keepFull);
      rmSync(filler);
      rmSync(`${filler}-more`, { force: true });
      const freedAt = Date.now();
      await waitFor('the transcoder to resume', async () => (await stream(sc))?.transcoder?.state === 'running', 15_000, 100);
      await show.watch.waitForNewSegments(3, 30_000);
      const resumedAfterMs = Date.now() - freedAt;

      const after = await stream(sc);
      const watched = show.watch.figures();
      const figures = { tmpfs: TMPFS_SIZE, filledBytes, fullForMs: FULL_FOR_MS, pausedAfterMs, resumedAfterMs, chatWhileFull: chatStatus, watch: watched, fullLines: fullLines() };
      recordFigures('disk-full', figures);
      t.diagnostic(`paused ${pausedAfterMs} ms after the disk filled, segments again ${resumedAfterMs} ms after space returned; chat while full: ${chatStatus}; ${describeWatch(watched)}`);
      assert.equal(after?.packager?.showId, showId, 'the same show');
      assert.equal(sc.logs().filter((l) => l.msg === 'publish accepted').length, 1, 'the publisher never reconnected');
      assert.equal(show.publisher.process.exitCode, null);
      assert.deepEqual(watched.violations, []);
      assert.deepEqual(watched.showIds, [showId]);
      assert.equal(watched.ended, false);
      assert.equal(fullLines().length, 1, 'still one line: no flood');
      assert.ok(sc.logs().some((l) => /transcoding resumes/.test(l.msg)), 'the log says it resumed');
      assert.equal((await health(sc)).status, 200, '/healthz is ok again');
    } finally {
      clearInterval(keepFull);
    }
  });
});

