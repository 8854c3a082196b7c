// Live commerce end to end in headless Chromium against the real shopcast and a real RTMP publisher: a seller pins a
// product in the studio and shoppers see its card in step with the video; chat between pages (as plain text); buy
// clicks counted; the seller mutes a message's sender and manages API tokens in the studio; the sign-in form never puts
// the token in a URL; the product page on a phone in portrait. Screenshots go to test-output/screens/ for a human.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { publish, type Publisher } from '../e2e/helpers/publisher.js';
import { OUTPUT_DIR, startShopcast, waitFor, type Shopcast } from '../e2e/helpers/shopcast.js';
import { DESKTOP, launchBrowser, PHONE, waitForPlayback, type HooksWindow, type LaunchedBrowser, type Viewport } from './helpers/browser.js';

const SCREENS = path.join(OUTPUT_DIR, 'screens');
const ADMIN_TOKEN = 'sc_browser-test-admin-token-0123456789';
const XSS = '<img src=x onerror=alert(1)>';

interface Product {
  id: string;
  name: string;
}

describe('live commerce in the browser', { timeout: 360_000 }, () => {
  let sc: Shopcast;
  let browser: LaunchedBrowser;
  let publisher: Publisher | undefined;
  let portrait: Publisher | undefined;
  let studio: Page;
  let shopper: Page;
  let apron: Product;
  const errors: string[] = [];
  const dialogs: string[] = [];

  /** A page that records script errors and dialogs (an XSS would open one). */
  async function open(url: string, viewport: Viewport = DESKTOP): Promise<Page> {
    const page = await browser.newPage(viewport);
    page.on('pageerror', (err) => errors.push(`${url}: ${err.message}`));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(url);
    return page;
  }

  const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: path.join(SCREENS, `${name}.png`) });

  async function api<T>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const res = await fetch(sc.httpUrl + urlPath, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${await res.text()}`);
    return (res.status === 204 ? null : await res.json()) as T;
  }

  before(async () => {
    mkdirSync(SCREENS, { recursive: true });
    sc = await startShopcast({ name: 'commerce', env: { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN, SHOPCAST_RECONNECT_WINDOW_S: '2' } });
    browser = await launchBrowser();
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
  });

  after(async () => {
    await publisher?.stop();
    await portrait?.stop();
    await browser?.close();
    await sc?.stop();
    assert.deepEqual(errors, [], 'page script errors');
    assert.deepEqual(dialogs, [], 'no dialog may open (chat text must never run as HTML)');
  });

  test('the sign-in form sends no token anywhere when it is submitted before its script runs', async () => {
    const page = await browser.newPage();
    const sent: string[] = [];
    page.on('request', (request) => sent.push(`${request.method()} ${request.url()} ${request.postData() ?? ''}`));
    await page.route('**/studio.js', (route) => route.abort());
    await page.goto(`${sc.httpUrl}/studio`);
    // No script: the page shows no view by itself, so the form is made visible the way a slow script would leave it.
    await page.evaluate(() => (document.getElementById('signin')!.hidden = false));
    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForNavigation(), page.press('#token', 'Enter')]);
    assert.equal(new URL(page.url()).pathname, '/studio');
    assert.equal(new URL(page.url()).search, '', 'nothing in the query string');
    assert.ok(sent.some((line) => line.startsWith(`POST ${sc.httpUrl}/studio`)), `the form posted: ${sent.join('\n')}`);
    assert.ok(!sent.some((line) => line.includes(ADMIN_TOKEN)), 'the token is in no URL and no body');
    await page.close();
  });

  test('a seller signs in to the studio, adds a product and pins it: the card appears on the playing product page', async () => {
    studio = await open(`${sc.httpUrl}/studio`);
    await studio.fill('#token', ADMIN_TOKEN);
    await studio.click('#signin-form button[type="submit"]');
    await studio.waitForSelector('#studio', { state: 'visible' });
    assert.equal(await studio.textContent('#channel-title'), 'Demo shop');
    assert.equal(await studio.evaluate(() => localStorage.getItem('shopcast.token')), ADMIN_TOKEN, 'the token is kept');

    shopper = await open(`${sc.httpUrl}/watch/demo`);
    await waitForPlayback(shopper, { advanceS: 2, timeoutMs: 45_000 });
    assert.equal(await shopper.isVisible('#product-list .product-card'), false, 'nothing pinned yet');

    // Add a product in the catalog: price in major units becomes minor units.
    await studio.click('[data-tab="products"]');
    await studio.click('#product-new');
    await studio.fill('#p-name', 'Linen apron');
    await studio.fill('#p-description', 'Stonewashed linen, adjustable neck strap, two deep pockets.');
    await studio.fill('#p-price', '24.50');
    await studio.fill('#p-currency', 'USD');
    await studio.fill('#p-buy', `${sc.httpUrl}/?buy=linen-apron`);
    await studio.fill('#p-image', '/img/demo/tote.svg');
    await studio.click('#product-save');
    await studio.waitForSelector('#catalog .catalog-item >> text=Linen apron');
    const { products } = await sc.json<{ products: Array<Product & { priceMinor: number; currency: string }> }>('/api/channels/demo/products');
    const created = products.find((p) => p.name === 'Linen apron');
    assert.ok(created, 'the product was created');
    assert.equal(created.priceMinor, 2450);
    assert.equal(created.currency, 'USD');
    apron = created;

    // Pin it from the live desk, while the video plays on the shopper's page.
    await studio.click('[data-tab="live"]');
    await studio.waitForFunction(() => document.querySelector('#channel-badge')?.textContent === 'Live', null, { timeout: 20_000 });
    // The health figures come from the seller's own route (the operator's /api/streams is the admin's).
    await studio.waitForFunction(() => /kbps$/.test(document.getElementById('stat-bitrate')?.textContent ?? ''), null, { timeout: 20_000 });
    const pinnedAt = Date.now();
    await studio.click(`#pin-candidates [data-pin="${apron.id}"]`);
    await studio.waitForSelector(`#pinned-list [data-pin="${apron.id}"]`);

    await shopper.waitForFunction((id) => (window as HooksWindow).shopcast?.visibleProducts.includes(id), apron.id, {
      timeout: 30_000,
      polling: 100,
    });
    const shownAfterMs = Date.now() - pinnedAt;
    const card = shopper.locator(`#product-list .product-card[data-product-id="${apron.id}"]`);
    assert.equal(await card.isVisible(), true);
    assert.equal(await card.locator('.product-name').textContent(), 'Linen apron');
    assert.equal(await card.locator('.product-price').textContent(), '$24.50');
    assert.equal(await card.locator('.product-stock').textContent(), 'In stock');
    // In step with the video: the playing position is past the pin's start date, which the viewer reaches later
    // than the seller's click by the live latency.
    const sync = await shopper.evaluate((id) => {
      const hooks = (window as HooksWindow).shopcast!;
      return { playing: hooks.hls?.playingDate?.getTime() ?? null, start: hooks.pinRanges.find((r) => r.productId === id)?.startMs ?? null };
    }, apron.id);
    assert.ok(sync.playing !== null && sync.start !== null && sync.playing >= sync.start, JSON.stringify(sync));
    assert.ok(shownAfterMs > 1000, `the card waited for the video to reach the pin (${shownAfterMs} ms)`);
    await waitForPlayback(shopper, { advanceS: 1 });

    // The pin is in the media playlists as a date range.
    const master = await sc.text('/live/demo/master.m3u8');
    const media = master.split('\n').find((line) => line.endsWith('.m3u8'));
    assert.ok(media, master);
    const playlist = await sc.text(`/live/demo/${media}`);
    const range = playlist.split('\n').find((line) => line.startsWith('#EXT-X-DATERANGE') && line.includes(`X-PRODUCT-ID="${apron.id}"`));
    assert.ok(range, playlist);
    assert.match(range, /CLASS="com\.shopcast\.pin"/);

    // The embed shows the same card over its video.
    const embed = await open(`${sc.httpUrl}/embed/demo`, { width: 640, height: 360 });
    await embed.waitForFunction((id) => (window as HooksWindow).shopcast?.visibleProducts.includes(id), apron.id, { timeout: 30_000 });
    assert.equal(await embed.isVisible(`#pin-overlay .product-card[data-product-id="${apron.id}"]`), true);
    assert.equal(await embed.isVisible('#chat'), false, 'no chat in the embed');
    await waitForPlayback(embed, { advanceS: 1 });
    await shot(embed, 'embed-desktop');
    await embed.close();

    await shot(shopper, 'commerce-watch-desktop');
    await shot(studio, 'studio-live-desktop');
    await studio.click('[data-tab="products"]');
    await shot(studio, 'studio-products-desktop');
    await studio.click('[data-tab="setup"]');
    await studio.click('#key-reveal');
    await studio.waitForFunction((key) => (document.getElementById('obs-key') as HTMLInputElement).value === key, sc.streamKey);
    assert.match(await studio.inputValue('#obs-server'), /^rtmp:\/\/.+:\d+\/live$/);
    await shot(studio, 'studio-setup-desktop');
    await studio.click('[data-tab="live"]');
  });

  test('chat goes from one page to another as plain text, and the seller deletes a message', async () => {
    const other = await open(`${sc.httpUrl}/watch/demo`, PHONE);
    await shopper.fill('#chat-name', 'Ana');
    await shopper.click('#chat-name-form button[type="submit"]');
    await shopper.fill('#chat-input', 'Does the apron come in blue?');
    await shopper.press('#chat-input', 'Enter');
    await other.waitForSelector('#chat-log .chat-text >> text=Does the apron come in blue?', { timeout: 10_000 });
    assert.equal(await other.evaluate(() => localStorage.getItem('shopcast.chatName')), 'Ana', 'same browser profile keeps the name');

    await shopper.fill('#chat-input', XSS);
    await shopper.press('#chat-input', 'Enter');
    const shown = other.locator('#chat-log .chat-msg').filter({ hasText: 'onerror' });
    await shown.waitFor({ timeout: 10_000 });
    assert.equal(await shown.locator('.chat-text').textContent(), XSS, 'the markup shows literally');
    assert.equal(await other.locator('#chat-log img').count(), 0, 'no element was made from the message');
    assert.equal(await shopper.locator('#chat-log img').count(), 0);

    // The seller sees both, answers (marked as the seller) and deletes the markup message.
    await studio.waitForSelector('#studio-chat-log .chat-text >> text=Does the apron come in blue?');
    await studio.fill('#studio-chat-input', 'Yes! Navy and sky blue.');
    await studio.press('#studio-chat-input', 'Enter');
    const answer = other.locator('#chat-log .chat-msg.by-seller');
    await answer.waitFor({ timeout: 10_000 });
    assert.equal(await answer.locator('.chat-seller').textContent(), 'Seller');
    const xssInStudio = studio.locator('#studio-chat-log .chat-msg').filter({ hasText: 'onerror' });
    await xssInStudio.hover();
    await xssInStudio.locator('.chat-mod').first().click();
    await shown.waitFor({ state: 'detached', timeout: 10_000 });
    await shot(other, 'commerce-watch-phone-chat');
    await shot(studio, 'studio-live-chat-desktop');
    await other.close();
  });

  test('the seller mutes the sender of a message: refused under a new name too, until unmuted from the list', async () => {
    const question = studio.locator('#studio-chat-log .chat-msg').filter({ hasText: 'Does the apron come in blue?' });
    await question.hover();
    await question.locator('.chat-mod[aria-label="Mute Ana"]').click();
    await studio.waitForSelector('#confirm[open]');
    await studio.click('#confirm-ok');
    await studio.waitForSelector('#toast >> text=Muted “Ana”.');
    const { mutes } = await api<{ mutes: { id: string; names: string[] }[] }>('GET', '/api/channels/demo/mutes');
    assert.deepEqual(mutes.map((m) => m.names), [['Ana']]);

    // The shopper picks another name: still this client, still muted.
    await shopper.click('#chat-rename');
    await shopper.fill('#chat-name', 'Not Ana');
    await shopper.click('#chat-name-form button[type="submit"]');
    await shopper.fill('#chat-input', 'hello again');
    await shopper.press('#chat-input', 'Enter');
    await shopper.waitForSelector('#chat-error >> text=the seller has muted you');
    await shot(shopper, 'commerce-watch-muted');

    await studio.click('#mutes-toggle');
    const item = studio.locator(`#mute-list [data-mute-id="${mutes[0]!.id}"]`);
    await item.waitFor();
    assert.equal(await item.locator('.mute-name').textContent(), 'Ana');
    await shot(studio, 'studio-mutes-desktop');
    await item.locator('button', { hasText: 'Unmute' }).click();
    await item.waitFor({ state: 'detached' });
    await studio.click('#mutes-toggle');
    await shopper.fill('#chat-input', 'hello again');
    await shopper.press('#chat-input', 'Enter');
    await studio.waitForSelector('#studio-chat-log .chat-msg >> text=hello again', { timeout: 10_000 });
  });

  test('the studio lists the seller\'s API tokens, creates one shown once, and revokes it', async () => {
    await studio.click('[data-tab="tokens"]');
    const env = studio.locator('#token-list .token-item').filter({ hasText: 'SHOPCAST_ADMIN_TOKEN' });
    await env.waitFor();
    assert.match((await env.textContent()) ?? '', /This browser/);
    assert.equal(await env.locator('[data-revoke]').count(), 0, 'the env token is replaced through the variable, not here');

    await studio.fill('#token-name', 'Shop backend');
    await studio.click('#token-form button[type="submit"]');
    await studio.waitForSelector('#token-created', { state: 'visible' });
    const secret = await studio.inputValue('#token-secret');
    assert.match(secret, /^sc_[A-Za-z0-9_-]{43}$/);
    const created = studio.locator('#token-list .token-item').filter({ hasText: 'Shop backend' });
    await created.waitFor();
    assert.equal((await fetch(`${sc.httpUrl}/api/me`, { headers: { Authorization: `Bearer ${secret}` } })).status, 200);
    assert.ok(!((await studio.locator('#token-list').textContent()) ?? '').includes(secret), 'the list never shows a token');
    await shot(studio, 'studio-tokens-desktop');

    await created.locator('[data-revoke]').click();
    await studio.waitForSelector('#confirm[open]');
    await studio.click('#confirm-ok');
    await created.waitFor({ state: 'detached' });
    assert.equal(await studio.isVisible('#token-created'), false, 'a revoked token\'s secret leaves the screen');
    assert.equal(await studio.inputValue('#token-secret'), '');
    assert.equal((await fetch(`${sc.httpUrl}/api/me`, { headers: { Authorization: `Bearer ${secret}` } })).status, 401, 'revoked at once');
    await studio.click('[data-tab="live"]');
  });

  test('the buy button opens the shop in a new tab and the click is counted for the show', async () => {
    const buy = shopper.locator(`#product-list [data-buy="${apron.id}"]`);
    assert.equal(await buy.getAttribute('target'), '_blank');
    assert.equal(await buy.getAttribute('rel'), 'noopener');
    const [tab] = await Promise.all([shopper.context().waitForEvent('page'), buy.click()]);
    await tab.waitForLoadState('domcontentloaded');
    assert.equal(tab.url(), `${sc.httpUrl}/?buy=linen-apron`);
    assert.equal(await tab.evaluate(() => window.opener), null, 'the shop cannot reach back into the product page');
    await tab.close();

    const channel = await sc.json<{ show: { id: string } | null }>('/api/channels/demo');
    assert.ok(channel.show, 'a show is in progress');
    const clicks = await waitFor('the buy click to be counted', async () => {
      const show = await sc.json<{ clicks: Array<{ productId: string; clicks: number }> }>(`/api/shows/${channel.show!.id}`);
      return show.clicks.find((c) => c.productId === apron.id && c.clicks === 1);
    }, 10_000);
    assert.equal(clicks.clicks, 1);
  });

  test('a portrait show on a phone: the video fits, the card sits over it, chat below', async () => {
    await publisher?.stop();
    publisher = undefined;
    const { streamKey } = await api<{ streamKey: string }>('POST', '/api/channels', { slug: 'vertical', title: 'Knitwear try-on', description: 'Trying on this season’s knits. Ask for sizes in the chat!' });
    portrait = publish({ url: `${sc.rtmpUrl}/${streamKey}`, width: 360, height: 640, bitrateKbps: 800 });
    const scarf = await api<Product>('POST', '/api/channels/vertical/products', {
      name: 'Merino wool scarf', description: 'Soft, warm, 180 × 30 cm.', priceMinor: 4900, currency: 'EUR',
      imageUrl: '/img/demo/scarf.svg', buyUrl: 'https://example.com/shop/scarf', inStock: true,
    });
    const phone = await open(`${sc.httpUrl}/watch/vertical`, PHONE);
    await waitForPlayback(phone, { advanceS: 1, timeoutMs: 45_000 });
    await waitFor('pinning on the live channel', async () => api('POST', '/api/channels/vertical/pins', { productId: scarf.id }).then(() => true), 15_000, 500);
    await phone.waitForFunction((id) => (window as HooksWindow).shopcast?.visibleProducts.includes(id), scarf.id, { timeout: 30_000 });

    const layout = await phone.evaluate(() => {
      const [player, overlay, buy, chat] = ['#player', '#pin-overlay .product-card', '#pin-overlay .button-buy', '#chat'].map((sel) =>
        document.querySelector(sel)!.getBoundingClientRect().toJSON() as { top: number; bottom: number; left: number; right: number; width: number; height: number },
      );
      return {
        pageWidth: document.documentElement.scrollWidth,
        viewport: { w: innerWidth, h: innerHeight },
        player: { top: player!.top, bottom: player!.bottom, left: player!.left, right: player!.right, w: player!.width, h: player!.height },
        overlay: { top: overlay!.top, bottom: overlay!.bottom },
        buy: { right: buy!.right, bottom: buy!.bottom },
        orientation: document.getElementById('player')!.dataset.orientation,
        chatTop: chat!.top,
      };
    });
    assert.equal(layout.orientation, 'portrait');
    assert.ok(layout.pageWidth <= PHONE.width, `no sideways scrolling: ${JSON.stringify(layout)}`);
    assert.ok(layout.player.h > layout.player.w, `portrait player: ${JSON.stringify(layout)}`);
    assert.ok(layout.player.bottom <= layout.viewport.h + 1, `the whole video fits on screen: ${JSON.stringify(layout)}`);
    assert.ok(layout.overlay.top >= layout.player.top && layout.overlay.bottom <= layout.player.bottom, `card over the video: ${JSON.stringify(layout)}`);
    assert.ok(layout.buy.right <= PHONE.width && layout.buy.bottom <= layout.viewport.h, `buy button reachable: ${JSON.stringify(layout)}`);
    assert.ok(layout.chatTop >= layout.player.bottom, 'chat below the video');
    await phone.waitForTimeout(500); // the card's entrance animation
    await shot(phone, 'commerce-watch-phone-portrait');
    await phone.evaluate(() => document.getElementById('products')!.scrollIntoView());
    await shot(phone, 'commerce-watch-phone-portrait-shop');

    const studioPhone = await open(`${sc.httpUrl}/studio`, PHONE);
    await studioPhone.waitForSelector('#studio', { state: 'visible' });
    await shot(studioPhone, 'studio-phone');
    await studioPhone.click('[data-tab="products"]');
    await shot(studioPhone, 'studio-phone-products');
    await studioPhone.close();
    await phone.close();
  });

  test('the studio shows the ended show\'s stats, and the home page lists live channels and recent shows', async () => {
    await studio.reload();
    await studio.waitForSelector('#studio', { state: 'visible' });
    await studio.selectOption('#channel-select', 'demo');
    await studio.waitForSelector('#studio', { state: 'visible' });
    await studio.click('[data-tab="shows"]');
    const bar = studio.locator(`#sd-click-list .bar[data-product-id="${apron.id}"]`);
    await bar.waitFor({ timeout: 10_000 });
    assert.equal(await bar.locator('.bar-value').textContent(), '1');
    await shot(studio, 'studio-shows-desktop');
    await studio.click('[data-tab="channel"]');
    await shot(studio, 'studio-channel-desktop');

    // Pinning needs a live show: the refusal (409) is said in words.
    await studio.click('[data-tab="live"]');
    await studio.locator('#pin-candidates [data-pin]').first().click();
    await studio.waitForSelector('#toast[data-kind="error"]', { state: 'visible' });
    assert.match((await studio.textContent('#toast')) ?? '', /Go live first/);
    await shot(studio, 'studio-offline-desktop');

    const home = await open(`${sc.httpUrl}/`);
    await home.waitForSelector('#streams .stream-card >> text=Knitwear try-on', { timeout: 15_000 });
    await home.waitForSelector('#recent .recent-item >> text=Demo shop', { timeout: 15_000 });
    await shot(home, 'home-desktop');
    await home.close();

    await studio.click('#sign-out');
    await studio.waitForSelector('#signin-form', { state: 'visible' });
    assert.equal(await studio.evaluate(() => localStorage.getItem('shopcast.token')), null);
    await shot(studio, 'studio-signin-desktop');
  });
});
