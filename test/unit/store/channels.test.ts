import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../../src/store/db.js';
import { generateStreamKey, SqliteChannelRepository } from '../../../src/store/channels.js';
import { ensureDemoChannel } from '../../../src/commerce/demo.js';

const repo = (dir = mkdtempSync(path.join(tmpdir(), 'shopcast-store-'))) => ({ dir, channels: new SqliteChannelRepository(openDatabase(dir)) });

test('stream keys are random, 192 bits, RTMP-safe', () => {
  const keys = new Set(Array.from({ length: 100 }, generateStreamKey));
  assert.equal(keys.size, 100);
  for (const key of keys) {
    assert.match(key, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(Buffer.from(key, 'base64url').length, 24);
  }
});

test('a stream key finds its channel and nothing else does', () => {
  const { channels } = repo();
  const a = channels.create({ slug: 'a', title: 'A', profile: 'default' });
  const b = channels.create({ slug: 'b', title: 'B', profile: 'default' });
  assert.equal(channels.byStreamKey(a.streamKey)?.slug, 'a');
  assert.equal(channels.byStreamKey(b.streamKey)?.slug, 'b');
  assert.equal(channels.byStreamKey(a.streamKey.slice(0, -1)), undefined);
  assert.equal(channels.byStreamKey(''), undefined);
});

test('the demo channel is created once, persists, and takes the operator key', () => {
  const { dir, channels } = repo();
  const first = ensureDemoChannel(channels, { profile: 'default' });
  assert.equal(first.created, true);
  const again = ensureDemoChannel(new SqliteChannelRepository(openDatabase(dir)), { profile: 'default' });
  assert.equal(again.created, false);
  assert.equal(again.channel.streamKey, first.channel.streamKey, 'the key survives a restart');
  const key = generateStreamKey();
  const overridden = ensureDemoChannel(channels, { profile: 'default', demoKey: key });
  assert.equal(overridden.channel.streamKey, key);
  assert.equal(channels.byStreamKey(key)?.slug, 'demo');
});
