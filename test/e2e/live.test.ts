// Live commerce end to end with real processes: a publisher goes live, the seller pins a product and it lands in every
// rung's playlist as a date range in sync with the segments; the event stream carries state, pins, chat and viewer
// counts, and catches up after a reconnect; chat rules and abuse limits hold over HTTP per client address (clients are
// told apart by X-Forwarded-For, which the gateway trusts from loopback, as from its HTTP workers); the show and its
// stats survive a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseMaster, waitForMaster } from './helpers/hls.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { SseClient } from './helpers/sse.js';
import { startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

const ADMIN_TOKEN = 'sc_e2e-live-admin-token-0123456789';
const RECONNECT_WINDOW_S = 3;
const STREAMS_PER_CLIENT = 10;

interface Product {
  id: string;
  name: string;
}
interface Pin {
  id: string;
  productId: string;
  product: Product | null;
  pinnedAt: string;
  unpinnedAt: string | null;
  showId: string;
}
interface ChatMessage {
  id: string;
  name: string;
  text: string;
  bySeller: boolean;
  showId: string | null;
}
interface Show {
  id: string;
  endedAt: string | null;
  peakViewers: number;
  durationS: number;
  pins: Pin[];
  clicks: { productId: string; name: string; clicks: number }[];
  chatMessages: number;
}


interface DateRangeTag {
  id: string;
  productId: string;
  startMs: number;
  endMs: number | undefined;
}

/** EXT-X-DATERANGE tags of a media playlist (hls-parser keeps only one per segment, so they are read here). */
function dateRanges(playlist: string): DateRangeTag[] {
  return playlist
    .split('\n')
    .filter((line) => line.startsWith('#EXT-X-DATERANGE:'))
    .map((line) => {
      const attr = (name: string): string | undefined => new RegExp(`(?:^|[:,])${name}="([^"]*)"`).exec(line)?.[1];
      const end = attr('END-DATE');
      return {
        id: attr('ID') ?? '',
        productId: attr('X-PRODUCT-ID') ?? '',
        startMs: Date.parse(attr('START-DATE') ?? ''),
        endMs: end === undefined ? undefined : Date.parse(end),
      };
    });
}

/** First program date time and end of the last segment listed in a media playlist. */
function pdtSpan(playlist: string): { fromMs: number; toMs: number } {
  const lines = playlist.split('\n');
  const pdts: number[] = [];
  let lastEnd = 0;
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) return;
    const at = Date.parse(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
    pdts.push(at);
    const duration = Number(/^#EXTINF:([\d.]+),/.exec(lines[i + 1] ?? '')?.[1] ?? 0);
    lastEnd = at + duration * 1000;
  });
  return { fromMs: pdts[0] ?? Number.NaN, toMs: lastEnd };
}

describe('live commerce', { timeout: 300_000 }, () => {
  let sc: Shopcast;
  let publisher: Publisher | undefined;
  let studio: SseClient;
  let products: Product[];
  let showId: string;
  let pinnedProduct: Product;
  const clients: SseClient[] = [];

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(sc.httpUrl + path, {
      method,
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  /** A shopper's POST from `client` (an address the gateway takes from X-Forwarded-For). */
  const shopperPost = (path: string, body: unknown, client = '198.51.100.1'): Promise<Response> =>
    fetch(sc.httpUrl + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
      body: JSON.stringify(body),
    });
  /** The refusal log line for `client` (the log reaches its file a moment after the answer). */
  const refusalLogged = (code: string, client: string) =>
    waitFor(`a "${code}" refusal of ${client} in the log`, () =>
      sc.logs().find((l) => l.msg === 'request refused' && l.code === code && l.client === client), 5_000);
  const events = (query = '', headers: Record<string, string> = {}): SseClient => {
    const client = new SseClient(`${sc.httpUrl}/api/channels/demo/events${query}`, headers);
    clients.push(client);
    return client;
  };

  before(async () => {
    sc = await startShopcast({
      name: 'live',
      env: {
        SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN,
        SHOPCAST_RECONNECT_WINDOW_S: String(RECONNECT_WINDOW_S),
        SHOPCAST_EVENT_STREAMS_PER_CLIENT: String(STREAMS_PER_CLIENT),
      },
    });
    products = (await sc.json<{ products: Product[] }>('/api/channels/demo/products')).products;
    assert.ok(products.length >= 2, 'the demo channel has demo products');
    studio = events();
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await publisher?.stop();
    const code = await sc?.stop();
    assert.equal(code, 0, 'shopcast exits cleanly');
  });

  test('the event stream opens with a snapshot; pinning is refused while the channel is offline', async () => {
    const snapshot = await studio.next<{ channel: { slug: string; state: string }; pins: Pin[]; viewers: number }>(
      'snapshot', () => true, 'snapshot');
    assert.equal(studio.status, 200);
    assert.match(studio.contentType, /^text\/event-stream/);
    assert.equal(studio.events[0]?.event, 'snapshot', 'first event');
    assert.ok(studio.events[0]?.id, 'the snapshot has an id');
    assert.equal(snapshot.channel.slug, 'demo');
    assert.equal(snapshot.channel.state, 'offline');
    assert.deepEqual(snapshot.pins, []);
    const refused = await api('POST', '/api/channels/demo/pins', { productId: products[0]!.id });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'conflict');
  });

  test('going live starts a show and tells the pages', async () => {
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
    const live = await studio.next<{ state: string; show: { id: string } | null }>(
      'state live', (s) => s.state === 'live', 'state', { timeoutMs: 20_000 });
    assert.ok(live.show, 'the state names the show');
    showId = live.show.id;
    await waitForMaster(sc);
    await studio.next<{ playable: boolean }>('playable', (s) => s.playable, 'state', { timeoutMs: 20_000 });
    const channel = await sc.json<{ show: { id: string } | null }>('/api/channels/demo');
    assert.equal(channel.show?.id, showId);
  });

  test('a pin lands in every rung\'s playlist as a DATERANGE inside the listed segments\' time, and ends on unpin', async () => {
    pinnedProduct = products[0]!;
    const res = await api('POST', '/api/channels/demo/pins', { productId: pinnedProduct.id });
    assert.equal(res.status, 201);
    const pin = (await res.json()) as Pin;
    assert.equal(pin.productId, pinnedProduct.id);
    assert.equal(pin.showId, showId);
    assert.equal(pin.product?.name, pinnedProduct.name);
    const pinnedMs = Date.parse(pin.pinnedAt);
    const sent = await studio.next<Pin>('pin event', (p) => p.id === pin.id, 'pin');
    assert.deepEqual(sent, pin);
    assert.deepEqual((await sc.json<{ pins: Pin[] }>('/api/channels/demo/pins')).pins, [pin]);

    const rungs = parseMaster(await sc.text('/live/demo/master.m3u8')).variants.map((v) => v.uri);
    assert.ok(rungs.length >= 2);
    for (const uri of rungs) {
      // The pin is listed at once; the segment holding its moment follows within a segment or two.
      const playlist = await waitFor(`${uri}: the pin inside the listed segments`, async () => {
        const text = await sc.text(`/live/demo/${uri}`);
        const span = pdtSpan(text);
        return span.fromMs <= pinnedMs && pinnedMs <= span.toMs ? text : undefined;
      }, 15_000, 200);
      const [range, ...others] = dateRanges(playlist);
      assert.equal(others.length, 0, uri);
      assert.equal(range?.id, `pin-${pin.id}`, uri);
      assert.equal(range?.productId, pinnedProduct.id, uri);
      assert.equal(range?.startMs, pinnedMs, `${uri}: START-DATE is the click`);
      assert.equal(range?.endMs, undefined, `${uri}: open while pinned`);
      assert.match(playlist, /#EXT-X-DATERANGE:ID="pin-[^"]+",CLASS="com\.shopcast\.pin",START-DATE="[^"]+Z",X-PRODUCT-ID="/);
    }

    const unpinned = await api('DELETE', `/api/channels/demo/pins/${pinnedProduct.id}`);
    assert.equal(unpinned.status, 204);
    const unpin = await studio.next<{ pinId: string; unpinnedAt: string }>('unpin event', (u) => u.pinId === pin.id, 'unpin');
    for (const uri of rungs) {
      const range = await waitFor(`${uri}: END-DATE`, async () =>
        dateRanges(await sc.text(`/live/demo/${uri}`)).find((r) => r.endMs !== undefined), 5_000, 100);
      assert.equal(range.endMs, Date.parse(unpin.unpinnedAt), uri);
    }
    assert.deepEqual((await sc.json<{ pins: Pin[] }>('/api/channels/demo/pins')).pins, []);
    assert.equal((await api('DELETE', `/api/channels/demo/pins/${pinnedProduct.id}`)).status, 404, 'not pinned any more');
    // Pinned again for the rest of the show: ended by the show's end.
    assert.equal((await api('POST', '/api/channels/demo/pins', { productId: pinnedProduct.id })).status, 201);
  });

  test('chat: a message arrives as an event, HTML stays text, seller messages are marked', async () => {
    const text = '<img src=x onerror=alert(1)>';
    const res = await shopperPost('/api/channels/demo/chat', { name: '  Ann  ', text });
    assert.equal(res.status, 201);
    const message = (await res.json()) as ChatMessage;
    assert.equal(message.text, text, 'stored verbatim');
    assert.equal(message.name, 'Ann', 'trimmed');
    assert.equal(message.bySeller, false);
    assert.equal(message.showId, showId);
    const sent = await studio.next<ChatMessage>('chat event', (m) => m.id === message.id, 'chat');
    assert.equal(sent.text, text);
    const recent = await sc.json<{ messages: ChatMessage[] }>('/api/channels/demo/chat');
    assert.equal(recent.messages.at(-1)?.text, text);

    const seller = await api('POST', '/api/channels/demo/chat', { name: 'Demo shop', text: 'Welcome!' });
    assert.equal(seller.status, 201);
    assert.equal(((await seller.json()) as ChatMessage).bySeller, true);
    const bad = await shopperPost('/api/channels/demo/chat', { name: 'Ann', text: 'x'.repeat(501) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /text/);
  });

  test('the 6th message of a client within 10 s is refused with 429 and Retry-After, whatever names it uses', async () => {
    const client = '2001:db8:77:1::10';
    for (let i = 1; i <= 5; i++) {
      // A new name every time: the limit is the client's, not the name's.
      assert.equal((await shopperPost('/api/channels/demo/chat', { name: `Chatty ${i}`, text: `message ${i}` }, client)).status, 201);
    }
    const refused = await shopperPost('/api/channels/demo/chat', { name: 'Somebody Else', text: 'message 6' }, client);
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'too_many_requests');
    const sameNetwork = await shopperPost('/api/channels/demo/chat', { name: 'Fresh', text: 'hi' }, '2001:db8:77:1:ffff::99');
    assert.equal(sameNetwork.status, 429, 'another address in the same IPv6 /64 is the same client');
    assert.equal((await shopperPost('/api/channels/demo/chat', { name: 'Chatty 1', text: 'hi' }, '2001:db8:77:2::10')).status, 201, 'the next /64 is another client');
    const logged = await refusalLogged('too_many_requests', '2001:db8:77:1::/64');
    assert.equal(logged.reason, 'too many messages: wait a moment', 'one log line with the client and the reason');
  });

  test('the seller mutes the sender of a message: 403 under any name; others keep talking; deleting tells the pages', async () => {
    const troll = '192.0.2.66';
    const rude = (await (await shopperPost('/api/channels/demo/chat', { name: 'Troll', text: 'rude' }, troll)).json()) as ChatMessage;
    const muted = await api('POST', '/api/channels/demo/mutes', { messageId: rude.id });
    assert.equal(muted.status, 201);
    const mute = (await muted.json()) as { id: string; names: string[]; mutedAt: string };
    assert.deepEqual(mute.names, ['Troll']);
    for (const name of ['Troll', 'troll', 'A Completely New Name']) {
      const refused = await shopperPost('/api/channels/demo/chat', { name, text: 'hello' }, troll);
      assert.equal(refused.status, 403, name);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'muted');
    }
    await refusalLogged('muted', troll);
    assert.equal((await shopperPost('/api/channels/demo/chat', { name: 'Troll', text: 'I am someone else' }, '192.0.2.67')).status, 201, 'the name is free for others');
    const listed = (await (await api('GET', '/api/channels/demo/mutes')).json()) as { mutes: { id: string; names: string[] }[] };
    assert.deepEqual(listed.mutes.map((m) => [m.id, m.names]), [[mute.id, ['Troll']]]);
    assert.equal((await fetch(`${sc.httpUrl}/api/channels/demo/mutes`)).status, 401, 'mutes are the seller\'s');
    const rows = sc.rawLogs();
    assert.ok(!rows.includes(ADMIN_TOKEN), 'the token is never logged');

    const posted = (await (await shopperPost('/api/channels/demo/chat', { name: 'Spammer', text: 'spam' }, '192.0.2.68')).json()) as ChatMessage;
    assert.equal((await api('DELETE', `/api/channels/demo/chat/${posted.id}`)).status, 204);
    await studio.next<{ id: string }>('chat.deleted', (d) => d.id === posted.id, 'chat.deleted');
    const recent = await sc.json<{ messages: ChatMessage[] }>('/api/channels/demo/chat');
    assert.ok(!recent.messages.some((m) => m.id === posted.id));
    assert.equal((await api('DELETE', `/api/channels/demo/mutes/${mute.id}`)).status, 204);
    assert.equal((await shopperPost('/api/channels/demo/chat', { name: 'Troll', text: 'sorry' }, troll)).status, 201, 'unmuted');
  });

  test('a reconnect with Last-Event-ID gets exactly the missed events, without a new snapshot', async () => {
    const first = events();
    await first.next('snapshot', () => true, 'snapshot');
    const lastId = first.lastId;
    await first.close();
    const missed: string[] = [];
    for (const text of ['missed one', 'missed two']) {
      const res = await shopperPost('/api/channels/demo/chat', { name: 'Late', text }, '198.51.100.30');
      missed.push(((await res.json()) as ChatMessage).id);
    }
    const again = events('', { 'Last-Event-ID': lastId });
    await again.next<ChatMessage>('second missed message', (m) => m.id === missed[1], 'chat');
    assert.equal(again.named('snapshot').length, 0, 'no snapshot on a resumable reconnect');
    assert.deepEqual(again.named('chat').map((e) => (JSON.parse(e.data) as ChatMessage).id), missed);
    assert.ok(Number(again.events[0]!.id) > Number(lastId), 'ids go on from the last one seen');

    const stale = events('', { 'Last-Event-ID': '12' });
    await stale.next('a fresh snapshot for an unknown id', () => true, 'snapshot');
    await Promise.all([again.close(), stale.close()]);
  });

  test('viewer=1 streams are counted by client while open', async () => {
    const base = (await sc.json<{ viewers: number }>('/api/channels/demo')).viewers;
    const viewers = [events('?viewer=1', { 'X-Forwarded-For': '198.51.100.40' })];
    const first = await viewers[0]!.next<{ viewers: number }>('snapshot', () => true, 'snapshot');
    assert.equal(first.viewers, base + 1, 'the count a shopper first sees includes the shopper');
    viewers.push(events('?viewer=1', { 'X-Forwarded-For': '198.51.100.41' }));
    await studio.next<{ viewers: number }>('viewers up', (v) => v.viewers === base + 2, 'viewers');
    assert.equal((await sc.json<{ viewers: number }>('/api/channels/demo')).viewers, base + 2);
    const mark = studio.events.length;
    await viewers[0]!.close();
    await studio.next<{ viewers: number }>('viewers down', (v) => v.viewers === base + 1, 'viewers', { from: mark });
    // The last viewer stays for the peak; it leaves with the show.
  });

  test('one address: its many viewer streams are one viewer, and past its cap it gets 429 while others still connect', async () => {
    const before = (await sc.json<{ viewers: number }>('/api/channels/demo')).viewers;
    const flood = Array.from({ length: STREAMS_PER_CLIENT }, () => events('?viewer=1', { 'X-Forwarded-For': '203.0.113.50' }));
    await Promise.all(flood.map((client) => client.next('snapshot', () => true, 'snapshot')));
    await waitFor('the flood counted', async () => (await sc.json<{ viewers: number }>('/api/channels/demo')).viewers === before + 1);
    const over = await fetch(`${sc.httpUrl}/api/channels/demo/events?viewer=1`, { headers: { 'X-Forwarded-For': '203.0.113.50' } });
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '30');
    assert.deepEqual(await over.json(), {
      error: { code: 'too_many_requests', message: `too many event streams from this address (at most ${STREAMS_PER_CLIENT})` },
    });
    await refusalLogged('too_many_requests', '203.0.113.50');
    const other = events('?viewer=1', { 'X-Forwarded-For': '203.0.113.51' });
    await other.next('snapshot for another client', () => true, 'snapshot');
    assert.equal(other.status, 200);
    await waitFor('one more viewer', async () => (await sc.json<{ viewers: number }>('/api/channels/demo')).viewers === before + 2);
    await Promise.all([...flood, other].map((client) => client.close()));
    await waitFor('back to the viewers before', async () => (await sc.json<{ viewers: number }>('/api/channels/demo')).viewers === before);
  });

  test('a buy click is counted on the show; without a JSON body (a cross-site form, a no-cors fetch) it is refused and not counted', async () => {
    const url = `${sc.httpUrl}/api/channels/demo/products/${pinnedProduct.id}/clicks`;
    const shopper = { 'X-Forwarded-For': '198.51.100.60' };
    const forged = [
      await fetch(url, { method: 'POST', headers: shopper }),
      await fetch(url, { method: 'POST', headers: { ...shopper, 'Content-Type': 'text/plain' }, body: '{}' }),
      await fetch(url, { method: 'POST', headers: { ...shopper, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' }),
    ];
    assert.deepEqual(forged.map((res) => res.status), [400, 415, 415]);
    // Another site's page would have to ask first, and is not answered with CORS permission.
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.deepEqual((await sc.json<Show>(`/api/shows/${showId}`)).clicks, [], 'nothing counted');

    const res = await fetch(url, { method: 'POST', headers: { ...shopper, 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 204);
    const show = await sc.json<Show>(`/api/shows/${showId}`);
    assert.deepEqual(show.clicks, [{ productId: pinnedProduct.id, name: pinnedProduct.name, clicks: 1 }]);
    assert.equal(show.endedAt, null);
    assert.ok(show.chatMessages >= 8);
  });

  test('when the publisher is gone for the reconnect window the show ends with its stats', async () => {
    await publisher!.stop();
    publisher = undefined;
    const ended = await studio.next<{ state: string; show: unknown }>('state ended', (s) => s.state === 'ended', 'state',
      { timeoutMs: (RECONNECT_WINDOW_S + 15) * 1000 });
    assert.equal(ended.show, null);
    const show = await sc.json<Show>(`/api/shows/${showId}`);
    assert.ok(show.endedAt, 'endedAt');
    // 3 clients watched at once at most (with 12 streams: one address held 10 of them).
    assert.equal(show.peakViewers, 3, 'the peak counts clients, not sockets');
    assert.ok(show.durationS > 0);
    assert.equal(show.pins.length, 2, 'the pin timeline: unpinned, then pinned until the end');
    assert.ok(show.pins.every((p) => p.unpinnedAt !== null), 'every pin ended with the show');
    // The final playlist closes the range too.
    const rung = parseMaster(await sc.text('/live/demo/master.m3u8')).variants[0]!.uri;
    const final = await waitFor('ENDLIST', async () => {
      const text = await sc.text(`/live/demo/${rung}`);
      return text.includes('#EXT-X-ENDLIST') ? text : undefined;
    }, 20_000);
    assert.ok(dateRanges(final).every((r) => r.endMs !== undefined), 'no open range after the end');

    const late = await fetch(`${sc.httpUrl}/api/channels/demo/products/${pinnedProduct.id}/clicks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '198.51.100.61' },
      body: '{}',
    });
    assert.equal(late.status, 409, 'a click after the show is refused');
    assert.match(((await late.json()) as { error: { message: string } }).error.message, /no show is live/);
    assert.equal((await sc.json<Show>(`/api/shows/${showId}`)).clicks[0]?.clicks, 1, 'and not counted');
  });

  test('after a restart the show history is all there', async () => {
    const stopping = Date.now();
    assert.equal(await sc.stop(), 0, 'stops cleanly with event streams open');
    assert.ok(Date.now() - stopping < 2_500, 'open event streams do not hold the shutdown');
    await Promise.all(clients.map((client) => client.close()));
    clients.length = 0;
    sc = await startShopcast({
      name: 'live-restart',
      dataDir: sc.dataDir,
      streamKey: sc.streamKey,
      env: { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    const { shows } = await sc.json<{ shows: Show[] }>('/api/channels/demo/shows');
    assert.equal(shows[0]?.id, showId);
    assert.ok(shows[0]?.endedAt);
    const show = await sc.json<Show>(`/api/shows/${showId}`);
    assert.equal(show.pins.length, 2);
    assert.equal(show.clicks[0]?.clicks, 1);
    const chat = await sc.json<{ messages: ChatMessage[] }>(`/api/shows/${showId}/chat`);
    assert.ok(chat.messages.some((m) => m.text === '<img src=x onerror=alert(1)>'));
    assert.equal((await sc.get('/api/shows/00000000-0000-4000-8000-000000000000')).status, 404);
  });

  test('the live routes are in the OpenAPI document', async () => {
    const doc = await sc.json<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json');
    for (const [path, method] of [
      ['/api/channels/{slug}/events', 'get'],
      ['/api/channels/{slug}/pins', 'post'],
      ['/api/channels/{slug}/pins/{productId}', 'delete'],
      ['/api/channels/{slug}/chat', 'post'],
      ['/api/channels/{slug}/chat/{id}', 'delete'],
      ['/api/channels/{slug}/mutes', 'post'],
      ['/api/channels/{slug}/mutes/{id}', 'delete'],
      ['/api/channels/{slug}/products/{id}/clicks', 'post'],
      ['/api/channels/{slug}/shows', 'get'],
      ['/api/shows/{id}', 'get'],
      ['/api/shows/{id}/chat', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
    }
  });
});
