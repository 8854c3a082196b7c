import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  CHAT_RATE_LIMIT,
  ChatService,
  RateLimiter,
  chatPostSchema,
  muteSchema,
} from '../../../src/commerce/chat.js';
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
    now: () => clock,
  });
});

afterEach(() => store.close());

const shopper = { ip: '203.0.113.7', bySeller: false };

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
  assert.equal(muteSchema.safeParse({ name: 'Ann' }).success, true);
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
  // Another name from the same address, and the same name from another address, are other clients.
  chat.post('shop', { name: 'Bob', text: 'hi' }, shopper);
  chat.post('shop', { name: 'Ann', text: 'hi' }, { ip: '198.51.100.1', bySeller: false });
  clock += 5_000;
  chat.post('shop', { name: 'Ann', text: 'after the wait' }, shopper);
});

test('the name of the rate limit key is case-insensitive; sellers are not limited', () => {
  for (let i = 0; i < 5; i++) chat.post('shop', { name: i % 2 ? 'ANN' : 'ann', text: 'x' }, shopper);
  assert.equal(refusal(() => chat.post('shop', { name: 'Ann', text: 'x' }, shopper)).refusal, 'rate_limited');
  for (let i = 0; i < 10; i++) chat.post('shop', { name: 'Ann', text: 'x' }, { ...shopper, bySeller: true });
});

test('a muted name (any case) is refused on its channel only; unmuting lets it speak again', () => {
  chat.mute('shop', 'Troll');
  assert.deepEqual(chat.mutes('shop'), ['Troll']);
  assert.equal(refusal(() => chat.post('shop', { name: 'troll', text: 'x' }, shopper)).refusal, 'muted');
  chat.post('other', { name: 'Troll', text: 'x' }, shopper);
  chat.unmute('shop', 'TROLL');
  chat.post('shop', { name: 'Troll', text: 'sorry' }, shopper);
  assert.equal(refusal(() => chat.unmute('shop', 'Troll')).refusal, 'not_found');
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
