import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { FlvAttachment, FlvFeed, FlvSink, SourceInfo } from '../../../src/media.js';
import { parseTag, TAG_VIDEO, type FlvTag } from '../../../src/ingest/flv.js';
import { DestinationPush, type PushConnection, type PushTarget } from '../../../src/restream/destination-push.js';
import { Restreamer, type RestreamTarget } from '../../../src/restream/restreamer.js';
import type { PushState } from '../../../src/restream/push-state.js';
import { testBus } from '../bus.js';
import { flvTagBytes } from '../flv-bytes.js';

/** A publish whose tags the test writes: every attached sink gets them, one tag per chunk. */
class FakeFeed implements FlvFeed {
  readonly sinks = new Set<FlvSink>();
  receivedBytes = 0;
  attach(sink: FlvSink): FlvAttachment {
    this.sinks.add(sink);
    return { mediaStartWallClockMs: () => 0, detach: () => this.sinks.delete(sink) };
  }
  keyframeInterval(): Promise<number | null> {
    return Promise.resolve(2);
  }
  write(timestampMs: number, keyframe = false): void {
    for (const sink of this.sinks) sink.write(videoTag(timestampMs, keyframe));
  }
}

function videoTag(timestampMs: number, keyframe: boolean): Buffer {
  return flvTagBytes(TAG_VIDEO, timestampMs, Buffer.from([keyframe ? 0x17 : 0x27, 1, 0, 0, 0, 0xaa]));
}

/** A destination: accepts (or refuses) publishes and records what each session got. */
class FakeDestination {
  refuseWith: string | null = null;
  readonly sessions: Array<{ target: PushTarget; tags: FlvTag[]; closed: boolean; drop(reason: string): void }> = [];
  connect = async (target: PushTarget): Promise<PushConnection> => {
    await Promise.resolve();
    if (this.refuseWith !== null) throw new Error(this.refuseWith);
    let end: (reason: string) => void = () => undefined;
    const closed = new Promise<string>((resolve) => (end = resolve));
    const session = { target, tags: [] as FlvTag[], closed: false, drop: (reason: string) => end(reason) };
    this.sessions.push(session);
    return {
      send: (tag) => session.tags.push(tag),
      get bytesSent() {
        return session.tags.length * 100;
      },
      closed,
      close: async () => {
        session.closed = true;
        end('closed by shopcast');
      },
    };
  };
  get open() {
    return this.sessions.filter((session) => !session.closed);
  }
}

const SOURCE: SourceInfo = { video: null, audio: null };

function setup(targets: RestreamTarget[]) {
  const bus = testBus();
  const destinations = new Map<string, FakeDestination>();
  const list = { current: targets };
  const destinationFor = (url: string) => {
    let destination = destinations.get(url);
    if (!destination) destinations.set(url, (destination = new FakeDestination()));
    return destination;
  };
  const states: Array<{ destinationId: string; state: PushState }> = [];
  const rungFeeds = new Map<string, FakeFeed>();
  bus.on('restream.state', ({ destinationId, state }) => states.push({ destinationId, state }));
  const restreamer = new Restreamer({
    bus,
    targets: { enabledOf: (slug) => (slug === 'demo' ? list.current : []) },
    connect: (target) => destinationFor(target.url).connect(target),
    tagReader: () => ({ push: (chunk) => [parseTag(chunk)!] }),
    rungFeed: (slug, rung) => {
      const key = `${slug}/${rung}`;
      if (!rungFeeds.has(key)) rungFeeds.set(key, new FakeFeed());
      return rungFeeds.get(key)!;
    },
    policy: { retryDelayMs: 20, maxRetryDelayMs: 40, backoff: 'exponential', resetAfterMs: 60_000 },
    log: pino({ level: 'silent' }),
  });
  restreamer.start();
  const live = (feed: FakeFeed) => bus.emit('stream.live', { slug: 'demo', publishId: 'p', reconnect: false, source: SOURCE, feed });
  return { bus, restreamer, destinationFor, states, list, live, rungFeeds };
}

const target = (id: string, version = '1', rung = 'source'): RestreamTarget => ({ id, url: `rtmp://${id}.example/live`, streamKey: `key-${id}`, rung, version });

test('a destination that wants a rung gets that rung\'s feed while the publisher is live, the others the source', async () => {
  const { restreamer, bus, destinationFor, live, rungFeeds } = setup([target('a'), target('b', '1', '360p')]);
  const feed = new FakeFeed();
  live(feed);
  await until('both sessions', () => feed.sinks.size === 1 && rungFeeds.get('demo/360p')?.sinks.size === 1);
  rungFeeds.get('demo/360p')!.write(0, true);
  feed.write(0, true);
  feed.write(33);
  assert.equal(destinationFor('rtmp://a.example/live').sessions[0]?.tags.length, 2, 'the source, as received');
  assert.equal(destinationFor('rtmp://b.example/live').sessions[0]?.tags.length, 1, 'the rung');
  bus.emit('stream.interrupted', { slug: 'demo', publishId: 'p', reason: 'gone' });
  await until('both detached', () => feed.sinks.size === 0 && rungFeeds.get('demo/360p')!.sinks.size === 0);
  await restreamer.stop();
});

async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('going live starts one push per enabled destination, each from 0 at its first keyframe, with its own key', async () => {
  const { restreamer, destinationFor, live } = setup([target('a'), target('b')]);
  const feed = new FakeFeed();
  live(feed);
  await until('both sessions', () => feed.sinks.size === 2);
  feed.write(5000, true);
  feed.write(5033);
  for (const id of ['a', 'b']) {
    const [session] = destinationFor(`rtmp://${id}.example/live`).sessions;
    assert.equal(session?.target.streamKey, `key-${id}`);
    assert.deepEqual(session?.tags.map((tag) => [tag.kind, tag.timestampMs]), [['keyframe', 0], ['video', 33]]);
    assert.equal(restreamer.stateOf('demo', id).phase, 'live');
  }
  await restreamer.stop();
  assert.equal(destinationFor('rtmp://a.example/live').open.length, 0, 'stopping closes every session');
});

test('a refusing destination retries with back-off and its reason, the other keeps receiving', async () => {
  const { restreamer, destinationFor, states, live } = setup([target('a'), target('b')]);
  destinationFor('rtmp://a.example/live').refuseWith = 'NetStream.Publish.BadName: stream key not accepted';
  const feed = new FakeFeed();
  live(feed);
  await until('a retrying twice', () => states.filter((s) => s.destinationId === 'a' && s.state.phase === 'retrying').length >= 1 && restreamer.stateOf('demo', 'a').failures >= 2);
  const a = restreamer.stateOf('demo', 'a');
  assert.equal(a.phase === 'retrying' || a.phase === 'connecting', true);
  assert.match(states.find((s) => s.destinationId === 'a' && s.state.phase === 'retrying')?.state.reason ?? '', /BadName/);
  feed.write(0, true);
  assert.equal(destinationFor('rtmp://b.example/live').sessions[0]?.tags.length, 1, 'b is untouched');
  destinationFor('rtmp://a.example/live').refuseWith = null;
  await until('a live', () => restreamer.stateOf('demo', 'a').phase === 'live');
  assert.equal(restreamer.stateOf('demo', 'a').failures, 0);
  await restreamer.stop();
});

test('a destination that drops the session is reconnected; the new session starts at a keyframe', async () => {
  const { restreamer, destinationFor, live } = setup([target('a')]);
  const feed = new FakeFeed();
  live(feed);
  const a = destinationFor('rtmp://a.example/live');
  await until('a session', () => a.sessions.length === 1 && feed.sinks.size === 1);
  feed.write(0, true);
  a.sessions[0]!.drop('connection reset');
  await until('a second session', () => a.sessions.length === 2 && feed.sinks.size === 1);
  assert.equal(restreamer.stateOf('demo', 'a').phase, 'live');
  feed.write(2000, true);
  assert.deepEqual(a.sessions[1]?.tags.map((tag) => tag.timestampMs), [0]);
  await restreamer.stop();
});

test('destinations added, changed or removed mid-show take effect alone; the others keep their session', async () => {
  const { bus, restreamer, destinationFor, list, live } = setup([target('a'), target('b')]);
  const feed = new FakeFeed();
  live(feed);
  await until('two sessions', () => feed.sinks.size === 2);
  list.current = [target('a'), target('b', '2'), target('c')];
  bus.emit('restream.destinations', { slug: 'demo' });
  await until('c and the new b', () => destinationFor('rtmp://c.example/live').open.length === 1 && destinationFor('rtmp://b.example/live').sessions.length === 2);
  assert.equal(destinationFor('rtmp://a.example/live').sessions.length, 1, 'a kept its one session');
  assert.equal(destinationFor('rtmp://b.example/live').open.length, 1, 'b changed: its old session closed, a new one open');
  list.current = [target('a')];
  bus.emit('restream.destinations', { slug: 'demo' });
  await until('b and c closed', () => destinationFor('rtmp://b.example/live').open.length === 0 && destinationFor('rtmp://c.example/live').open.length === 0);
  assert.equal(restreamer.stateOf('demo', 'c').phase, 'idle');
  assert.equal(destinationFor('rtmp://a.example/live').open.length, 1);
  await restreamer.stop();
});

test('a seller drop closes the sessions until the reconnect, and the end of the show ends them', async () => {
  const { bus, restreamer, destinationFor, live } = setup([target('a')]);
  const first = new FakeFeed();
  live(first);
  const a = destinationFor('rtmp://a.example/live');
  await until('a session', () => a.open.length === 1 && first.sinks.size === 1);
  bus.emit('stream.interrupted', { slug: 'demo', publishId: 'p', reason: 'dropped' });
  await until('closed', () => a.open.length === 0 && restreamer.stateOf('demo', 'a').phase === 'idle');
  assert.equal(first.sinks.size, 0, 'detached from the old publish');
  const second = new FakeFeed();
  live(second);
  await until('a new session on the new publish', () => a.open.length === 1 && second.sinks.size === 1);
  bus.emit('stream.ended', { slug: 'demo', reason: 'window-expired' });
  await until('ended', () => a.open.length === 0);
  assert.equal(restreamer.stateOf('demo', 'a').phase, 'idle');
  await restreamer.stop();
});

test('a push given a feed the moment it went idle starts again (no gap between its last loop and the next)', async () => {
  const destination = new FakeDestination();
  const second = new FakeFeed();
  let handedOver = false;
  const push: DestinationPush = new DestinationPush({
    slug: 'demo',
    destinationId: 'a',
    target: { url: 'rtmp://a.example/live', streamKey: 'k' },
    connect: destination.connect,
    tagReader: () => ({ push: (chunk) => [parseTag(chunk)!] }),
    policy: { retryDelayMs: 20, maxRetryDelayMs: 40, backoff: 'exponential', resetAfterMs: 60_000 },
    log: pino({ level: 'silent' }),
    onState: (state) => {
      if (state.phase !== 'idle' || handedOver) return;
      handedOver = true;
      push.setFeed(second);
    },
  });
  const first = new FakeFeed();
  push.setFeed(first);
  await until('a session on the first feed', () => first.sinks.size === 1);
  push.setFeed(null);
  await until('a session on the second feed', () => second.sinks.size === 1 && push.state.phase === 'live');
  await push.stop();
});
