// The studio's Restream section in headless Chromium against the real shopcast: a seller adds a destination (its key
// goes in and only its hint comes back), sees the API's words for a bad URL, switches it off, removes it after the
// confirm dialog; while live, the real pushes' states (one to a real nginx-rtmp, one to a closed port) read as the
// seller should see them; the list is polled only while the setup tab is on screen. Screenshots (desktop and phone) go to test-output/screens/ for a human.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { publish, type Publisher } from '../e2e/helpers/publisher.js';
import { startRtmpReceiver, type RtmpReceiver } from '../e2e/helpers/rtmp-receiver.js';
import { freePort, OUTPUT_DIR, startShopcast, waitFor, type Shopcast } from '../e2e/helpers/shopcast.js';
import { DESKTOP, launchBrowser, PHONE, type LaunchedBrowser, type Viewport } from './helpers/browser.js';

const SCREENS = path.join(OUTPUT_DIR, 'screens');
const ADMIN_TOKEN = 'sc_browser-test-admin-token-0123456789';
const STREAM_KEY = 'yt-secret-key-4f9a-x7Qa';
const DESTINATIONS = '/api/channels/demo/destinations';

interface DestinationView {
  id: string;
  name: string;
  url: string;
  streamKeyHint: string;
  enabled: boolean;
  rung: string;
  state: { phase: string; reason: string | null; since: string; bitrateKbps: number | null; failures: number };
}

describe('the studio\'s restream section', { timeout: 180_000 }, () => {
  let sc: Shopcast;
  let browser: LaunchedBrowser;
  let studio: Page;
  let receiver: RtmpReceiver | undefined;
  let publisher: Publisher | undefined;
  const errors: string[] = [];

  async function open(url: string, viewport: Viewport = DESKTOP): Promise<Page> {
    const page = await browser.newPage(viewport);
    page.on('pageerror', (err) => errors.push(`${url}: ${err.message}`));
    await page.goto(url);
    return page;
  }

  /** The whole page, from the top: scrolled, the sticky top bar would be drawn over the middle. */
  async function shot(page: Page, name: string): Promise<Buffer> {
    await page.evaluate(() => window.scrollTo(0, 0));
    return page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
  }

  async function call<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(sc.httpUrl + urlPath, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
  }

  async function listed(): Promise<DestinationView[]> {
    const { status, body } = await call<{ destinations: DestinationView[] }>('GET', DESTINATIONS);
    assert.equal(status, 200, JSON.stringify(body));
    return body.destinations;
  }

  const row = (name: string) => studio.locator('#destination-list .destination-item').filter({ hasText: name });

  before(async () => {
    mkdirSync(SCREENS, { recursive: true });
    sc = await startShopcast({ name: 'studio-restream', env: { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN } });
    browser = await launchBrowser();
  });

  after(async () => {
    await publisher?.stop();
    await browser?.close();
    await sc?.stop();
    await receiver?.stop();
    assert.deepEqual(errors, [], 'page script errors');
  });

  test('a seller adds a destination: the row shows its name and key hint, never the key', async () => {
    studio = await open(`${sc.httpUrl}/studio`);
    await studio.fill('#token', ADMIN_TOKEN);
    await studio.click('#signin-form button[type="submit"]');
    await studio.waitForSelector('#studio', { state: 'visible' });
    await studio.click('[data-tab="setup"]');
    await studio.waitForSelector('#destinations-empty', { state: 'visible' });
    assert.equal(await studio.getAttribute('#d-key', 'type'), 'password');
    assert.equal(await studio.getAttribute('#d-url', 'placeholder'), 'rtmp://a.rtmp.youtube.com/live2');

    await studio.fill('#d-name', 'YouTube');
    await studio.fill('#d-url', 'rtmp://127.0.0.1:1/live');
    await studio.fill('#d-key', STREAM_KEY);
    await studio.click('#destination-add');
    const youtube = row('YouTube');
    await youtube.waitFor();
    assert.equal(await studio.inputValue('#d-key'), '', 'the key input is cleared');
    assert.equal(await studio.isVisible('#destinations-empty'), false);

    const hint = (await youtube.locator('.destination-key').textContent()) ?? '';
    const shown = /^Key …(.{0,4})$/.exec(hint);
    assert.ok(shown, `a hint of at most 4 characters: ${hint}`);
    assert.ok(STREAM_KEY.endsWith(shown[1]!), `the end of the key: ${hint}`);
    assert.equal(await youtube.locator('.destination-url').textContent(), 'rtmp://127.0.0.1:1/live');
    assert.equal(await youtube.locator('.push-pill').textContent(), 'Waiting for you to go live');
    assert.equal(await youtube.locator('input[role="switch"]').isChecked(), true);
    assert.equal(await youtube.locator('.destination-send').textContent(), 'as sent', 'the source by default');

    // A platform that wants less: one of the profile's rungs.
    assert.deepEqual(await studio.$$eval('#d-rung option', (options) => options.map((o) => (o as HTMLOptionElement).value)), ['source', '720p', '480p', '360p', '240p', '160p']);
    await studio.fill('#d-name', 'Capped');
    await studio.fill('#d-url', 'rtmp://127.0.0.1:1/capped');
    await studio.fill('#d-key', 'capped-key-0123456789');
    await studio.selectOption('#d-rung', '360p');
    await studio.click('#destination-add');
    await row('Capped').waitFor();
    assert.equal(await row('Capped').locator('.destination-send').textContent(), '360p rung');
    const capped = (await listed()).find((d) => d.name === 'Capped');
    assert.equal(capped?.rung, '360p');
    assert.equal((await call('DELETE', `${DESTINATIONS}/${capped.id}`)).status, 204);
    await row('Capped').waitFor({ state: 'detached', timeout: 10_000 });

    const page = await studio.evaluate(() => ({
      text: document.body.innerText,
      html: document.documentElement.outerHTML,
      values: [...document.querySelectorAll('input, textarea, select')].map((el) => (el as HTMLInputElement).value),
    }));
    assert.ok(!page.text.includes(STREAM_KEY), 'the key is not in the page text');
    assert.ok(!page.html.includes(STREAM_KEY), 'the key is in no attribute');
    assert.ok(!page.values.some((value) => value.includes(STREAM_KEY)), 'the key is in no input');

    const [created] = await listed();
    assert.equal(created?.name, 'YouTube');
    assert.equal(created.enabled, true);
    assert.equal(`Key ${created.streamKeyHint}`, hint);
  });

  test('a server URL the API refuses shows the API\'s message inline', async () => {
    const body = { name: 'Twitch', url: 'http://x', streamKey: 'live_123456789' };
    const refused = await call<{ error: { code: string; message: string } }>('POST', DESTINATIONS, body);
    assert.equal(refused.status, 400);
    await studio.fill('#d-name', body.name);
    await studio.fill('#d-url', body.url);
    await studio.fill('#d-key', body.streamKey);
    await studio.click('#destination-add');
    await studio.waitForFunction(() => document.getElementById('destination-error')?.textContent !== '');
    assert.equal(await studio.textContent('#destination-error'), refused.body.error.message);
    assert.equal(await studio.inputValue('#d-url'), 'http://x', 'the form keeps what was typed, to fix it');
    assert.equal(await studio.locator('#destination-list .destination-item').count(), 1);
    for (const field of ['#d-name', '#d-url', '#d-key']) await studio.fill(field, '');
  });

  test('switching a destination off: the API then has it disabled', async () => {
    const toggle = row('YouTube').locator('input[role="switch"]');
    await toggle.click();
    await waitFor('the switch to settle', async () => !(await toggle.isDisabled()) && !(await toggle.isChecked()));
    const [youtube] = await listed();
    assert.equal(youtube?.enabled, false);
    await waitFor('the pill to say Off', async () => (await row('YouTube').locator('.push-pill').textContent()) === 'Off');
  });

  test('push states read as the seller should see them while live, on desktop and on a phone', async () => {
    // Real states: the seller goes live; one destination is a real nginx-rtmp, one a port nobody listens on.
    receiver = await startRtmpReceiver({ name: 'studio' });
    for (const [name, url] of [
      ['Twitch', receiver.rtmpUrl],
      ['Kick with a rather long name for one destination', `rtmp://127.0.0.1:${await freePort()}/app`],
    ] as const) {
      const made = await call('POST', DESTINATIONS, { name, url, streamKey: `key-${name.length}-abcdefgh` });
      assert.equal(made.status, 201, JSON.stringify(made.body));
    }
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, width: 640, height: 360 });
    const expected: Record<string, RegExp> = {
      YouTube: /^Off$/,
      Twitch: /^Live · [\d,]+ kbps$/,
      Kick: /^Retrying: cannot reach /,
    };
    const pills = async (page: Page) =>
      page.$$eval('#destination-list .destination-item', (items) =>
        items.map((item) => [item.querySelector('.mini-name')?.textContent?.split(' ')[0] ?? '', item.querySelector('.push-pill')?.textContent ?? '']),
      );
    const showsExpected = async (page: Page) => {
      const shown = await pills(page);
      return shown.length === 3 && shown.every(([name, pill]) => expected[name ?? '']?.test(pill ?? '') === true);
    };
    await waitFor('the pills to follow the pushes', () => showsExpected(studio), 30_000, 250);
    await shot(studio, 'studio-restream-desktop');

    // Signed in already: the token is kept in this browser profile.
    const phone = await open(`${sc.httpUrl}/studio#setup`, PHONE);
    await waitFor('the phone to list the pushes', () => showsExpected(phone), 15_000, 250);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'nothing is wider than the phone');
    await shot(phone, 'studio-restream-phone');
    await phone.close();
    await publisher.stop();
    publisher = undefined;
  });

  test('the list is polled while the setup tab is on screen, and not while the tab or the page is hidden', async () => {
    const made = await call('POST', DESTINATIONS, { name: 'Added elsewhere', url: 'rtmp://127.0.0.1:1/other', streamKey: 'another-key-123' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    await row('Added elsewhere').waitFor({ timeout: 8_000 });

    const polls: string[] = [];
    studio.on('request', (request) => {
      if (request.url().endsWith(DESTINATIONS)) polls.push(request.url());
    });
    /** How many times the list was asked for from the start of `action` to `ms` after it. */
    const pollsDuring = async (ms: number, action: () => Promise<unknown>) => {
      const before = polls.length;
      await action();
      await new Promise((resolve) => setTimeout(resolve, ms));
      return polls.length - before;
    };
    const setPageHidden = (hidden: boolean) =>
      studio.evaluate((hidden) => {
        Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    const idle = async () => {};

    // Half a second of grace: a request made just before the switch may be reported after it.
    await pollsDuring(500, () => studio.click('[data-tab="live"]'));
    assert.equal(await pollsDuring(4_000, idle), 0, 'no poll while another tab shows');
    assert.equal(await pollsDuring(1_000, () => studio.click('[data-tab="setup"]')), 1, 'asked at once on return');
    await pollsDuring(500, () => setPageHidden(true));
    assert.equal(await pollsDuring(4_000, idle), 0, 'no poll while the page is hidden');
    assert.equal(await pollsDuring(1_000, () => setPageHidden(false)), 1, 'asked at once when the page shows again');
    assert.ok((await pollsDuring(3_500, idle)) >= 1, 'and every 3 s after');
  });

  test('removing a destination asks first, then it is gone from the list and the API', async () => {
    const youtube = row('YouTube');
    await youtube.locator('[data-remove]').click();
    await studio.waitForSelector('#confirm[open]');
    assert.equal(await studio.textContent('#confirm-title'), 'Remove “YouTube”?');
    await studio.click('#confirm button[value="cancel"]');
    await studio.waitForSelector('#confirm', { state: 'hidden' });
    assert.equal(await youtube.count(), 1, 'cancel keeps it');

    await youtube.locator('[data-remove]').click();
    await studio.waitForSelector('#confirm[open]');
    await studio.click('#confirm-ok');
    await youtube.waitFor({ state: 'detached' });
    await studio.waitForSelector('#toast >> text=Removed “YouTube”.');
    assert.ok(!(await listed()).some((d) => d.name === 'YouTube'), 'the API no longer lists it');
  });
});
