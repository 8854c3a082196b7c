// API tokens of the signed-in seller: listed by name with when each was made and last used (never the token), a new
// one made with a name and shown once, and any one revoked. Revoking the token this studio signed in with signs out.
import { ApiError } from '../api.js';
import { byId, h } from '../dom.js';

/** @param {string | null} iso */
const when = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : 'never');

/**
 * @typedef {{ id: string, name: string, source: 'issued' | 'env', createdAt: string, lastUsedAt: string | null,
 *             current: boolean }} TokenView
 */

/** @param {import('./context.js').StudioContext} ctx */
export function mountTokens(ctx) {
  const list = byId('token-list');
  const form = /** @type {HTMLFormElement} */ (byId('token-form'));
  const name = /** @type {HTMLInputElement} */ (byId('token-name'));
  const error = byId('token-error');
  const created = byId('token-created');
  const secret = /** @type {HTMLInputElement} */ (byId('token-secret'));
  /** The token whose secret the "copy it now" box shows, if one. @type {string | null} */
  let shownId = null;

  /** A secret stays on screen only while its token exists. */
  function hideSecret() {
    shownId = null;
    secret.value = '';
    created.hidden = true;
  }

  async function load() {
    try {
      const { tokens } = await ctx.call('/api/tokens');
      list.replaceChildren(...tokens.map((/** @type {TokenView} */ token) => item(token)));
    } catch (err) {
      ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  }

  /** @param {TokenView} token */
  function item(token) {
    const tag = token.current ? h('span', { className: 'token-tag', text: 'This browser' }) : null;
    const meta = h('span', { className: 'mini-meta', text: `Created ${when(token.createdAt)} · last used ${when(token.lastUsedAt)}` });
    const body = h('div', { className: 'mini-body' }, h('span', { className: 'mini-name', text: token.name }, tag), meta);
    /** @type {HTMLElement} */
    let action;
    if (token.source === 'env') {
      // Revoked here, the next start would register it again: the operator changes the variable instead.
      action = h('span', { className: 'muted small token-note', text: 'Set on the server: change SHOPCAST_ADMIN_TOKEN to replace it' });
    } else {
      action = h('button', { className: 'button button-secondary button-small', text: 'Revoke', attrs: { type: 'button' }, dataset: { revoke: token.id } });
      action.addEventListener('click', () => void revoke(token));
    }
    return h('li', { className: 'mini-item token-item', dataset: { tokenId: token.id } }, body, action);
  }

  /** @param {TokenView} token */
  async function revoke(token) {
    const ok = await ctx.confirm({
      title: `Revoke “${token.name}”?`,
      text: token.current
        ? 'This is the token this browser signed in with: you will be signed out. Anything else using it stops working too.'
        : 'Anything using this token stops working at once. This cannot be undone.',
      ok: 'Revoke',
    });
    if (!ok) return;
    try {
      await ctx.call(`/api/tokens/${encodeURIComponent(token.id)}`, { method: 'DELETE' });
      if (token.id === shownId) hideSecret();
      if (token.current) return ctx.onSignedOut();
      ctx.toast(`Revoked “${token.name}”.`);
      void load();
    } catch (err) {
      ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!name.value.trim()) {
      error.textContent = 'Give the token a name, e.g. where you will use it.';
      return;
    }
    try {
      const made = await ctx.call('/api/tokens', { method: 'POST', body: { name: name.value.trim() } });
      secret.value = made.token;
      shownId = made.id;
      created.hidden = false;
      name.value = '';
      void load();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
    }
  });

  return { load };
}
