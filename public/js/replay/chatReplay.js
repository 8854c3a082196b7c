// The replay's chat: the show's messages appear as playback passes the moment each was sent; after a jump (either
// way) the log is rebuilt up to the new position. Rendered by the live page's chat log (plain text only).
import { ChatLog } from '../chatPanel.js';
import { sentBy } from './timeline.js';

/** A rebuilt log keeps this many of the latest messages, as the live log does. */
const KEPT = 200;

/**
 * @param {{ root: HTMLElement, empty: HTMLElement, messages: import('./timeline.js').ReplayMessage[] }} opts
 *   messages: by offset
 */
export function replayChat(opts) {
  const log = new ChatLog({ root: opts.root, empty: opts.empty });
  const { messages } = opts;
  /** Messages shown: the first `shown` of the list. */
  let shown = 0;

  return {
    /**
     * Shows the messages sent by `timeS`.
     * @param {number} timeS
     * @param {boolean} jumped  the position jumped (a seek): rebuild rather than add
     */
    update(timeS, jumped) {
      const due = sentBy(messages, timeS);
      if (due === shown && !jumped) return;
      if (jumped || due < shown) {
        log.reset(messages.slice(Math.max(0, due - KEPT), due));
      } else {
        for (const message of messages.slice(Math.max(shown, due - KEPT), due)) log.add(message);
      }
      shown = due;
    },
    /** Ids of the messages on screen, oldest first (test hook). */
    get shownIds() {
      return messages.slice(0, shown).slice(-KEPT).map((m) => m.id);
    },
  };
}
