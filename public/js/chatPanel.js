// The chat log shared by the product page and the studio: messages as plain text (textContent only), the seller's
// marked, deleted ones removed; optional moderation buttons for the studio.
import { h, icon, ICONS } from './dom.js';

export const CHAT_MAX_CHARS = 500;
const MAX_SHOWN = 200;
/** Within this many pixels of the bottom, a new message scrolls the log; further up, the reader is left alone. */
const STICKY_PX = 48;

/**
 * @typedef {{ id: string, showId: string | null, name: string, text: string, at: string, bySeller: boolean }} ChatMessage
 * @typedef {{ onDelete: (message: ChatMessage) => void, onMute: (message: ChatMessage) => void }} Moderation
 */

/** "14:03" in the reader's locale. @param {string} iso */
function clock(iso) {
  const date = new Date(iso);
  return Number.isFinite(date.getTime()) ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

export class ChatLog {
  /** @type {HTMLElement} */ #root;
  /** @type {HTMLElement | null} */ #empty;
  /** @type {Moderation | null} */ #moderation;
  /** @type {Map<string, HTMLElement>} */ #items = new Map();

  /**
   * @param {{ root: HTMLElement, empty?: HTMLElement | null, moderation?: Moderation | null }} opts
   *   root: the scrolling list (an <ol>)
   */
  constructor(opts) {
    this.#root = opts.root;
    this.#empty = opts.empty ?? null;
    this.#moderation = opts.moderation ?? null;
    this.#renderEmpty();
  }

  /** @param {ChatMessage[]} messages  oldest first */
  reset(messages) {
    this.#items.clear();
    this.#root.replaceChildren();
    for (const message of messages) this.#append(message);
    this.#renderEmpty();
    this.#root.scrollTop = this.#root.scrollHeight;
  }

  /** @param {ChatMessage} message */
  add(message) {
    if (!message || typeof message.id !== 'string' || this.#items.has(message.id)) return;
    const stick = this.#root.scrollHeight - this.#root.scrollTop - this.#root.clientHeight < STICKY_PX;
    this.#append(message);
    while (this.#items.size > MAX_SHOWN) {
      const [oldest] = this.#items.keys();
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    this.#renderEmpty();
    if (stick) this.#root.scrollTop = this.#root.scrollHeight;
  }

  /** @param {string} id */
  remove(id) {
    this.#items.get(id)?.remove();
    this.#items.delete(id);
    this.#renderEmpty();
  }

  /** @param {ChatMessage} message */
  #append(message) {
    const name = h('span', { className: 'chat-name', text: message.name });
    const meta = h(
      'div',
      { className: 'chat-meta' },
      name,
      message.bySeller ? h('span', { className: 'chat-seller', text: 'Seller' }) : null,
      h('time', { className: 'chat-time', text: clock(message.at), attrs: { datetime: message.at } }),
    );
    const item = h(
      'li',
      { className: `chat-msg${message.bySeller ? ' by-seller' : ''}`, dataset: { id: message.id } },
      meta,
      h('p', { className: 'chat-text', text: message.text }),
    );
    const moderation = this.#moderation;
    if (moderation) {
      const remove = h('button', { className: 'chat-mod', attrs: { type: 'button', title: 'Delete message', 'aria-label': `Delete message from ${message.name}` } }, icon(ICONS.trash));
      remove.addEventListener('click', () => moderation.onDelete(message));
      const actions = h('div', { className: 'chat-actions' }, remove);
      if (!message.bySeller) {
        const mute = h('button', { className: 'chat-mod', attrs: { type: 'button', title: `Mute ${message.name}`, 'aria-label': `Mute ${message.name}` } }, icon(ICONS.mute));
        mute.addEventListener('click', () => moderation.onMute(message));
        actions.append(mute);
      }
      item.append(actions);
    }
    this.#items.set(message.id, item);
    this.#root.append(item);
  }

  #renderEmpty() {
    if (this.#empty) this.#empty.hidden = this.#items.size > 0;
  }
}

/**
 * The message box: a live "n / 500" counter, Enter sends (Shift+Enter: new line), the send button waits for the
 * answer. `send` resolves when posted and rejects with a message for the user.
 * @param {{ form: HTMLFormElement, input: HTMLTextAreaElement | HTMLInputElement, counter: HTMLElement,
 *           error: HTMLElement, send: (text: string) => Promise<void> }} opts
 */
export function wireComposer(opts) {
  const { form, input, counter, error } = opts;
  const button = /** @type {HTMLButtonElement | null} */ (form.querySelector('button[type="submit"]'));
  input.maxLength = CHAT_MAX_CHARS;
  const renderCount = () => {
    const length = input.value.length;
    counter.textContent = `${length} / ${CHAT_MAX_CHARS}`;
    counter.dataset.level = length >= CHAT_MAX_CHARS ? 'full' : length > CHAT_MAX_CHARS * 0.9 ? 'near' : '';
    if (button) button.disabled = input.value.trim() === '' || form.dataset.busy === '1';
  };
  input.addEventListener('input', () => {
    error.textContent = '';
    renderCount();
  });
  input.addEventListener('keydown', (event) => {
    const key = /** @type {KeyboardEvent} */ (event);
    if (key.key === 'Enter' && !key.shiftKey && !key.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || form.dataset.busy === '1') return;
    form.dataset.busy = '1';
    renderCount();
    try {
      await opts.send(text);
      input.value = '';
      error.textContent = '';
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      delete form.dataset.busy;
      renderCount();
      input.focus();
    }
  });
  renderCount();
}

/**
 * A friendly sentence for a failed chat post.
 * @param {import('./api.js').ApiError} err
 */
export function chatErrorText(err) {
  if (err.status === 429) {
    const wait = err.retryAfterS ? ` Try again in ${Math.ceil(err.retryAfterS)} s.` : ' Wait a moment and try again.';
    return `You're sending messages too fast.${wait}`;
  }
  if (err.status === 403) return "You can't post in this chat: the seller has muted you.";
  if (err.status === 0) return err.message;
  if (err.status === 400) return `That message can't be sent: ${err.message}`;
  return "Your message couldn't be sent. Please try again.";
}
