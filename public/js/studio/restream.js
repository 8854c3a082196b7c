// Restream: the other platforms the channel's live stream is pushed to, each with the state of its push (polled while
// the setup tab is on screen), switched on or off, removed, or added with a stream key that goes in once and is only
// ever shown again as its hint.
import { ApiError } from '../api.js';
import { byId, h } from '../dom.js';

const POLL_MS = 3000;

/**
 * @typedef {{ phase: 'idle' | 'disabled' | 'connecting' | 'live' | 'retrying', reason: string | null, since: string,
 *             bitrateKbps: number | null, failures: number }} PushState
 * @typedef {{ id: string, channel: string, name: string, url: string, streamKeyHint: string, enabled: boolean,
 *             rung: string, createdAt: string, updatedAt: string, state: PushState }} DestinationView
 * @typedef {{ view: DestinationView, item: HTMLLIElement, name: HTMLElement, pill: HTMLElement, url: HTMLElement,
 *             hint: HTMLElement, send: HTMLElement, toggle: HTMLInputElement, remove: HTMLButtonElement }} Row
 */

/** @param {unknown} err */
const message = (err) => (err instanceof ApiError ? err.message : String(err));

/** The status pill's words. @param {PushState} state */
function pushText(state) {
  switch (state.phase) {
    case 'live':
      return state.bitrateKbps === null ? 'Live' : `Live · ${Math.round(state.bitrateKbps).toLocaleString('en')} kbps`;
    case 'connecting':
      return 'Connecting…';
    case 'retrying':
      return state.reason ? `Retrying: ${state.reason}` : 'Retrying';
    case 'disabled':
      return 'Off';
    default:
      return 'Waiting for you to go live';
  }
}

/** @param {import('./context.js').StudioContext} ctx */
export function mountRestream(ctx) {
  const list = byId('destination-list');
  const form = /** @type {HTMLFormElement} */ (byId('destination-form'));
  const name = /** @type {HTMLInputElement} */ (byId('d-name'));
  const url = /** @type {HTMLInputElement} */ (byId('d-url'));
  const key = /** @type {HTMLInputElement} */ (byId('d-key'));
  const rung = /** @type {HTMLSelectElement} */ (byId('d-rung'));
  const add = /** @type {HTMLButtonElement} */ (byId('destination-add'));
  const error = byId('destination-error');
  /**
   * Rows by destination id, updated in place: a poll every 3 s must not take focus or a half-done click away.
   * @type {Map<string, Row>}
   */
  const rows = new Map();
  /** Whether the setup tab is showing. */
  let active = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** The number of the newest list request. */
  let latest = 0;

  const destinationPath = (/** @type {string} */ id) => ctx.channelPath(`/destinations/${encodeURIComponent(id)}`);

  /** @param {Row} row @param {DestinationView} view */
  function update(row, view) {
    row.view = view;
    row.name.textContent = view.name;
    const text = pushText(view.state);
    row.pill.textContent = text;
    row.pill.title = text;
    row.pill.dataset.phase = view.state.phase;
    row.url.textContent = view.url;
    row.url.title = view.url;
    row.hint.textContent = `Key ${view.streamKeyHint}`;
    row.send.textContent = view.rung === 'source' ? 'as sent' : `${view.rung} rung`;
    // While a switch's change is on its way, an older answer must not flip it back.
    if (!row.toggle.disabled) row.toggle.checked = view.enabled;
    row.toggle.setAttribute('aria-label', `Enabled: ${view.name}`);
    row.remove.setAttribute('aria-label', `Remove ${view.name}`);
  }

  /** @param {DestinationView} view */
  function makeRow(view) {
    const toggle = h('input', { className: 'switch', attrs: { type: 'checkbox', role: 'switch' } });
    const remove = h('button', { className: 'button button-danger button-small', text: 'Remove', attrs: { type: 'button' }, dataset: { remove: view.id } });
    const nameEl = h('span', { className: 'mini-name' });
    const pill = h('span', { className: 'push-pill' });
    const urlEl = h('span', { className: 'mono destination-url' });
    const hint = h('span', { className: 'destination-key' });
    const send = h('span', { className: 'destination-send' });
    const item = h('li', { className: 'mini-item destination-item', dataset: { destinationId: view.id } },
      h('div', { className: 'mini-body' }, h('div', { className: 'destination-head' }, nameEl, pill), h('span', { className: 'mini-meta' }, urlEl, hint, send)),
      h('div', { className: 'destination-actions' }, h('label', { className: 'check' }, toggle, 'Enabled'), remove));
    /** @type {Row} */
    const row = { view, item, name: nameEl, pill, url: urlEl, hint, send, toggle, remove };
    toggle.addEventListener('change', () => void setEnabled(row, toggle.checked));
    remove.addEventListener('click', () => void removeDestination(row));
    update(row, view);
    return row;
  }

  /** @param {DestinationView[]} destinations  oldest first, so a new one goes at the end */
  function render(destinations) {
    const ids = new Set(destinations.map((d) => d.id));
    for (const [id, row] of rows) {
      if (ids.has(id)) continue;
      row.item.remove();
      rows.delete(id);
    }
    for (const view of destinations) {
      const row = rows.get(view.id);
      if (row) update(row, view);
      else {
        const made = makeRow(view);
        rows.set(view.id, made);
        list.append(made.item);
      }
    }
    byId('destinations-empty').hidden = destinations.length > 0;
  }

  function schedule() {
    clearTimeout(timer);
    timer = active && !document.hidden ? setTimeout(refresh, POLL_MS) : undefined;
  }

  async function refresh() {
    clearTimeout(timer);
    const asked = ++latest;
    try {
      const { destinations, rungs } = await ctx.call(ctx.channelPath('/destinations'));
      // A poll answered after a newer request (one made right after a change) would bring back the old list.
      if (asked === latest) {
        render(destinations);
        offerRungs(rungs);
      }
    } catch {
      // The list stays as it was; the next poll asks again.
    } finally {
      if (asked === latest) schedule();
    }
  }

  /** The choices of what to send: the source, then the profile's rungs (kept as they are while unchanged). @param {string[]} rungs */
  function offerRungs(rungs) {
    const offered = [...rung.options].map((option) => option.value);
    if (offered.join() === rungs.join()) return;
    const chosen = rung.value;
    rung.replaceChildren(...rungs.map((value) => h('option', {
      text: value === 'source' ? 'As sent (no re-encode)' : `Up to ${value}`,
      attrs: { value },
    })));
    rung.value = rungs.includes(chosen) ? chosen : 'source';
  }

  /** @param {Row} row @param {boolean} enabled */
  async function setEnabled(row, enabled) {
    row.toggle.disabled = true;
    try {
      update(row, await ctx.call(destinationPath(row.view.id), { method: 'PATCH', body: { enabled } }));
    } catch (err) {
      row.toggle.checked = !enabled;
      ctx.toast(message(err), 'error');
    } finally {
      row.toggle.disabled = false;
    }
    void refresh();
  }

  /** @param {Row} row */
  async function removeDestination(row) {
    const { id, name: label } = row.view;
    const ok = await ctx.confirm({
      title: `Remove “${label}”?`,
      text: 'shopcast stops sending your stream there at once. To add it back you need its stream key again.',
      ok: 'Remove',
    });
    if (!ok) return;
    try {
      await ctx.call(destinationPath(id), { method: 'DELETE' });
      ctx.toast(`Removed “${label}”.`);
    } catch (err) {
      // 404: removed already, from another tab; the refresh below takes it off the list.
      if (!(err instanceof ApiError && err.status === 404)) ctx.toast(message(err), 'error');
    }
    void refresh();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = { name: name.value.trim(), url: url.value.trim(), streamKey: key.value.trim(), rung: rung.value };
    if (!body.name) return void (error.textContent = 'Give the destination a name, e.g. the platform it goes to.');
    if (!body.url) return void (error.textContent = "Server URL: paste it from the platform's stream settings.");
    if (!body.streamKey) return void (error.textContent = "Stream key: paste it from the platform's stream settings.");
    add.disabled = true;
    try {
      const made = await ctx.call(ctx.channelPath('/destinations'), { method: 'POST', body });
      form.reset();
      const live = ['live', 'reconnecting'].includes(ctx.channel.state);
      ctx.toast(`Added “${made.name}”. ${live ? 'Your stream goes there now.' : 'Your stream goes there too when you go live.'}`);
    } catch (err) {
      error.textContent = message(err);
    } finally {
      add.disabled = false;
    }
    void refresh();
  });

  document.addEventListener('visibilitychange', () => {
    if (active && !document.hidden) void refresh();
    else clearTimeout(timer);
  });

  return {
    /** Polls while the setup tab shows (and the page is visible). @param {boolean} shown */
    setActive(shown) {
      if (shown === active) return;
      active = shown;
      if (active && !document.hidden) void refresh();
      else clearTimeout(timer);
    },
  };
}
