// The channel's live event stream (SSE): snapshot, state, pins, chat, viewers, products. EventSource reconnects by
// itself after a dropped connection and sends Last-Event-ID, so the server replays what was missed (or a fresh
// snapshot); after an HTTP error it gives up, so this module opens a new one after a pause.

const EVENT_NAMES = ['snapshot', 'state', 'pin', 'unpin', 'chat', 'chat.deleted', 'viewers', 'product', 'product.deleted'];
const REOPEN_DELAY_MS = 5000;

/**
 * @typedef {{ [name: string]: (data: any) => void }} LiveHandlers
 */

/**
 * @param {{ slug: string, viewer: boolean, on: LiveHandlers, onConnection?: (open: boolean) => void }} opts
 * @returns {{ close(): void }}
 */
export function connectLiveEvents(opts) {
  const url = `/api/channels/${encodeURIComponent(opts.slug)}/events${opts.viewer ? '?viewer=1' : ''}`;
  /** @type {EventSource | null} */
  let source = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let closed = false;

  const open = () => {
    const es = new EventSource(url);
    source = es;
    for (const name of EVENT_NAMES) {
      const handler = opts.on[name];
      if (!handler) continue;
      es.addEventListener(name, (event) => {
        let data;
        try {
          data = JSON.parse(/** @type {MessageEvent} */ (event).data);
        } catch {
          return;
        }
        handler(data);
      });
    }
    es.addEventListener('open', () => opts.onConnection?.(true));
    es.addEventListener('error', () => {
      opts.onConnection?.(false);
      if (es.readyState === EventSource.CLOSED && !closed) {
        clearTimeout(timer);
        timer = setTimeout(open, REOPEN_DELAY_MS);
      }
    });
  };
  open();
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}
