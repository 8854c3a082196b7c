// What live commerce says to browsers and the API (pins, chat, state, the event names of the live stream), and the
// refusals its services decide, as data the HTTP layer maps to answers.
import type { ChannelState } from '../origin/ports.js';
import type { Product } from '../store/ports.js';

export interface Pin {
  id: string;
  showId: string;
  productId: string;
  /** The product's name when it was pinned: a show's timeline keeps it after the product is deleted. */
  productName: string;
  /** Null only in a past show's timeline, once the product was deleted. */
  product: Product | null;
  pinnedAt: string;
  unpinnedAt: string | null;
}

export interface ChatMessage {
  id: string;
  showId: string | null;
  name: string;
  /** Plain text: pages render it with textContent, never as HTML. */
  text: string;
  at: string;
  bySeller: boolean;
}

export interface LiveState {
  state: ChannelState;
  playable: boolean;
  show: { id: string; startedAt: string } | null;
}

/** Events of a channel's live stream, by name, with their `data`; `snapshot` is built per connection. */
export interface LiveEvents {
  state: LiveState;
  pin: Pin;
  unpin: { productId: string; pinId: string; unpinnedAt: string };
  chat: ChatMessage;
  'chat.deleted': { id: string };
  viewers: { viewers: number };
  product: Product;
  'product.deleted': { id: string };
}

export type LiveEventName = keyof LiveEvents;

export type LiveRefusal = 'not_found' | 'conflict' | 'muted' | 'rate_limited';

/** A request live commerce refuses, and why; `retryAfterS` comes with `rate_limited`. */
export class LiveError extends Error {
  readonly refusal: LiveRefusal;
  readonly retryAfterS: number | undefined;

  constructor(refusal: LiveRefusal, message: string, retryAfterS?: number) {
    super(message);
    this.name = 'LiveError';
    this.refusal = refusal;
    this.retryAfterS = retryAfterS;
  }
}
