// Which encoded rung a destination gets, and that each feed gets exactly its rung's parts, for the show only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlvAttachment, Ladder } from '../../../src/media.js';
import type { RungMedia } from '../../../src/packager/packager.js';
import { RungFeeds, standInRung, type PushedFeed } from '../../../src/restream/rung-feeds.js';
import { rung } from '../packager/fixtures.js';
import { testBus } from '../bus.js';

const LADDER: Ladder = {
  profile: 'default',
  segmentDurationS: 2,
  rungs: [rung('source', 1280, 720, 3000), rung('480p', 854, 480, 1200), rung('240p', 426, 240, 300)],
};

test('the rung asked for if the show has it, else the biggest no bigger, else the smallest', () => {
  const sizes: Record<string, number> = { '720p': 720, '480p': 480, '360p': 360, '160p': 160 };
  const pick = (name: string): string | undefined => standInRung(LADDER.rungs, name, sizes[name]);
  assert.equal(pick('480p'), '480p');
  assert.equal(pick('720p'), 'source', 'the copied top rung is the 720p');
  assert.equal(pick('360p'), '240p');
  assert.equal(pick('160p'), '240p', 'nothing smaller: the smallest');
  assert.equal(standInRung(LADDER.rungs, 'gone', undefined), '240p', 'a rung the profile no longer has: the smallest');
  const portrait = [rung('480p', 480, 854, 1200), rung('240p', 240, 426, 300)];
  assert.equal(standInRung(portrait, '360p', 360), '240p', 'sizes are short sides, portrait too');
  assert.equal(standInRung([], '360p', 360), undefined);
});

class FakeFeed implements PushedFeed {
  readonly parts: RungMedia[] = [];
  ended = false;
  readonly receivedBytes = 0;
  push(part: RungMedia): void {
    if (part.bytes.length === 0) throw new Error('empty part');
    this.parts.push(part);
  }
  end(): void {
    this.ended = true;
  }
  attach(): FlvAttachment {
    return { mediaStartWallClockMs: () => 0, detach: () => undefined };
  }
  keyframeInterval(): Promise<number | null> {
    return Promise.resolve(null);
  }
}

test('each wanted rung gets its stand-in\'s parts of its own channel; the end of the show ends the feeds', () => {
  const bus = testBus();
  let emit: ((slug: string, rung: string, media: RungMedia) => void) | undefined;
  const made: FakeFeed[] = [];
  const refused: string[] = [];
  const feeds = new RungFeeds({
    bus,
    media: { onRungMedia: (listener) => ((emit = listener), () => undefined) },
    shortSideOf: (_slug, name) => ({ '720p': 720, '360p': 360 })[name],
    newFeed: () => {
      const feed = new FakeFeed();
      made.push(feed);
      return feed;
    },
    onRefused: (slug, name) => void refused.push(`${slug}/${name}`),
  });
  feeds.start();
  const small = feeds.feed('demo', '360p') as FakeFeed;
  assert.equal(feeds.feed('demo', '360p'), small, 'pushes of the same rung share a feed');
  bus.emit('transcode.run.started', { slug: 'demo', runId: 'r1', ladder: LADDER, anchorWallClockMs: () => 0 });
  const top = feeds.feed('demo', '720p') as FakeFeed;
  const part = (byte: number): RungMedia => ({ runId: 'r1', init: new Uint8Array([1]), bytes: new Uint8Array([byte]), independent: true });
  emit!('demo', '240p', part(1));
  emit!('demo', 'source', part(2));
  emit!('demo', '480p', part(3));
  emit!('other', '240p', part(4));
  emit!('demo', '240p', { ...part(5), bytes: new Uint8Array() });
  assert.deepEqual(small.parts.map((p) => p.bytes[0]), [1]);
  assert.deepEqual(top.parts.map((p) => p.bytes[0]), [2]);
  assert.deepEqual(refused, ['demo/240p'], 'a part the feed refuses is reported, the rest go on');
  bus.emit('stream.ended', { slug: 'demo', reason: 'window-expired' });
  assert.ok(small.ended && top.ended);
  assert.notEqual(feeds.feed('demo', '360p'), small, 'the next show starts a new feed');
  feeds.stop();
});
