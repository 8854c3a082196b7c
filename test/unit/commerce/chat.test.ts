import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  CHAT_RATE_LIMIT,
  ChatService,
  RateLimiter,
  chatPostSchema,
  muteSchema,
} from '../../../src/commerce/chat.js';
import { clientHasher } from '../../../src/commerce/clients.js';
import { LiveHub, type HubEvent } from '../../../src/commerce/hub.js';
import { openStore, type Store, refusal } from './fixtures.js';

let store: Store;
let clock: number;
let hub: LiveHub;
let events: HubEvent[];
let chat: ChatService;

beforeEach(() => {
  store = openStore();
  clock = Date.UTC(2026, 10, 27, 12, 0, 0);
  hub = new LiveHub();
  events = [];
  hub.subscribe('shop', { event: (e) => events.push(e), close: () => {} });
  chat = new ChatService({
    repo: store.chat,
    hub,
    currentShowId: () => null,
    limiter: new RateLimiter({ ...CHAT_RATE_LIMIT, now: () => clock }),
    clientHash: clientHasher(Buffer.alloc(32, 7)),
    now: () => clock,
  });
});

afterEach(() => store.close());

const shopper = { client: '203.0.113.7', bySeller: false };

test('names and texts are trimmed and bounded; control and bidi characters are refused', () => {
  assert.deepEqual(chatPostSchema.parse({ name: '  Ann ', text: ' hi there \t' }), { name: 'Ann', text: 'hi there' });
  assert.equal(chatPostSchema.safeParse({ name: 'a'.repeat(40), text: 'b'.repeat(500) }).success, true);
  for (const bad of [
    { name: 'a'.repeat(41), text: 'x' },
    { name: 'Ann', text: 'b'.repeat(501) },
    { name: '   ', text: 'x' },
    { name: 'Ann', text: ' ' },
    { name: 'Ann', text: 'line\nbreak' },
    { name: 'Ann\u0007', text: 'bell' },
    { name: 'Ann\u202Egnp.exe', text: 'spoof' },
    { name: 'Ann', text: 'x', extra: 1 },
  ]) {
    assert.equal(chatPostSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.equal(muteSchema.safeParse({ messageId: '00000000-0000-4000-8000-000000000000' }).success, true);
  assert.equal(muteSchema.safeParse({ name: 'Ann' }).success, false, 'a mute names a message, not a name');
});

test('HTML in a message is stored and sent back verbatim, as text', () => {
  const text = '<img src=x onerror=alert(1)>';
  const message = chat.post('shop', { name: 'Mallory', text }, shopper);
  assert.equal(message.text, text);
  assert.equal(chat.recent('shop', 50)[0]?.text, text);
  assert.equal(JSON.parse(events[0]!.data).text, text);
  assert.equal(events[0]!.name, 'chat');
});

test('a client gets 5 messages per 10 s; the 6th is refused with the wait until the oldest leaves the window', () => {
  for (let i = 0; i < 5; i++) {
    chat.post('shop', { name: 'Ann', text: `message ${i}` }, shopper);
    clock += 1_000;
  }
  const refused = refusal(() => chat.post('shop', { name: 'Ann', text: 'one too many' }, shopper));
  assert.equal(refused.refusal, 'rate_limited');
  assert.equal(refused.retryAfterS, 5, 'the first message (t=0) leaves the window at t=10 s; now is t=5 s');
  assert.equal(chat.recent('shop', 50).length, 5, 'the refused message is not stored');
  // The same name from another address is another client; the same address on another channel has its own limit.
  chat.post('shop', { name: 'Ann', text: 'hi' }, { client: '198.51.100.1', bySeller: false });
  chat.post('other', { name: 'Ann', text: 'hi' }, shopper);
  clock += 5_000;
  chat.post('shop', { name: 'Ann', text: 'after the wait' }, shopper);
});

test('a new name is the same client: the limit is per address, whatever the name', () => {
  for (let i = 0; i < 5; i++) chat.post('shop', { name: `Name ${i}`, text: 'x' }, shopper);
  assert.equal(refusal(() => chat.post('shop', { name: 'Yet another name', text: 'x' }, shopper)).refusal, 'rate_limited');
  for (let i = 0; i < 10; i++) chat.post('shop', { name: 'Ann', text: 'x' }, { ...shopper, bySeller: true });
});

test('muting the sender of a message refuses that client under any name, on that channel only', () => {
  const troll = { client: '192.0.2.66', bySeller: false };
  const message = chat.post('shop', { name: 'Troll', text: 'rude' }, troll);
  chat.post('shop', { name: 'Ann', text: 'hello' }, shopper);
  const mute = chat.mute('shop', message.id);
  assert.deepEqual(mute.names, ['Troll']);
  assert.equal(refusal(() => chat.post('shop', { name: 'Troll', text: 'x' }, troll)).refusal, 'muted');
  assert.equal(refusal(() => chat.post('shop', { name: 'Totally New Name', text: 'x' }, troll)).refusal, 'muted');
  chat.post('shop', { name: 'Troll', text: 'I am someone else' }, shopper);
  chat.post('other', { name: 'Troll', text: 'x' }, troll);
  assert.deepEqual(chat.mutes('shop').map((m) => m.id), [mute.id]);
  assert.equal(chat.mute('shop', message.id).id, mute.id, 'muting twice is one mute');
  chat.unmute('shop', mute.id);
  chat.post('shop', { name: 'Troll', text: 'sorry' }, troll);
  assert.equal(refusal(() => chat.unmute('shop', mute.id)).refusal, 'not_found');
});

test('the store keeps a keyed hash of the sender, never the address; sellers and unknown senders cannot be muted', () => {
  const message = chat.post('shop', { name: 'Ann', text: 'hi' }, shopper);
  const rows = JSON.stringify(store.db.prepare('SELECT * FROM chat_messages').all());
  assert.ok(!rows.includes(shopper.client), 'no address in the chat table');
  const hash = store.chat.byId('shop', message.id)?.clientHash;
  assert.match(hash ?? '', /^[A-Za-z0-9_-]{43}$/, 'an HMAC-SHA256');
  assert.notEqual(clientHasher(Buffer.alloc(32, 7))('other', shopper.client), hash, 'another channel, another hash');
  assert.notEqual(clientHasher(Buffer.alloc(32, 8))('shop', shopper.client), hash, 'another secret, another hash');

  const seller = chat.post('shop', { name: 'The shop', text: 'Welcome!' }, { ...shopper, bySeller: true });
  assert.equal(store.chat.byId('shop', seller.id)?.clientHash, null);
  assert.equal(refusal(() => chat.mute('shop', seller.id)).refusal, 'conflict');
  store.chat.add({ id: '11111111-1111-4111-8111-111111111111', channel: 'shop', showId: null, name: 'Old', text: 'from v2', bySeller: false, at: new Date(clock).toISOString(), clientHash: null });
  assert.equal(refusal(() => chat.mute('shop', '11111111-1111-4111-8111-111111111111')).refusal, 'conflict');
  assert.equal(refusal(() => chat.mute('other', message.id)).refusal, 'not_found', 'another channel\'s message');
});

test('purge deletes messages older than the retention', () => {
  chat.post('shop', { name: 'Ann', text: 'old' }, shopper);
  clock += 10 * 24 * 3600_000;
  chat.post('shop', { name: 'Ann', text: 'new' }, shopper);
  assert.equal(chat.purge(7 * 24 * 3600_000), 1);
  assert.deepEqual(chat.recent('shop', 50).map((m) => m.text), ['new']);
});

test('seller messages are marked; a deleted message leaves the chat and pages are told', () => {
  const seller = chat.post('shop', { name: 'The shop', text: 'Welcome!' }, { ...shopper, bySeller: true });
  const spam = chat.post('shop', { name: 'Spam', text: 'buy crypto' }, shopper);
  assert.equal(seller.bySeller, true);
  assert.equal(spam.bySeller, false);
  chat.remove('shop', spam.id);
  assert.deepEqual(chat.recent('shop', 50).map((m) => m.id), [seller.id]);
  assert.deepEqual(events.at(-1), { id: events.at(-1)!.id, name: 'chat.deleted', data: JSON.stringify({ id: spam.id }) });
  assert.equal(refusal(() => chat.remove('shop', spam.id)).refusal, 'not_found', 'already deleted');
  assert.equal(refusal(() => chat.remove('other', seller.id)).refusal, 'not_found', 'another channel\'s message');
});

test('recent returns the newest messages, oldest first', () => {
  for (let i = 0; i < 8; i++) {
    chat.post('shop', { name: 'Ann', text: `m${i}` }, { ...shopper, bySeller: true });
  }
  assert.deepEqual(chat.recent('shop', 3).map((m) => m.text), ['m5', 'm6', 'm7'], 'same millisecond: insertion order');
});
