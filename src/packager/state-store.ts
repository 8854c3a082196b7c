// The packager's state folder: one file per channel, replaced atomically (write a temporary file, rename it over the
// old one), so a process killed at any moment leaves either the previous state or the new one, never half a file.
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { SHOW_STATE_TMP_SUFFIX, showStateFileName, slugOfStateFile } from './names.js';
import { parseChannelState, serialiseChannelState, type ChannelState } from './show-state.js';

export interface StateStoreOptions {
  dir: string;
  log: Logger;
}

/** What is to happen to a channel's file next; only the newest wish counts. */
type Pending = { kind: 'write'; text: string } | { kind: 'remove' };

interface Slot {
  pending: Pending | undefined;
  /** Settles when the slot has nothing left to do. */
  drained: Promise<void> | undefined;
}

export class StateStore {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #slots = new Map<string, Slot>();

  constructor(opts: StateStoreOptions) {
    this.#dir = path.resolve(opts.dir);
    this.#log = opts.log;
  }

  /** Every valid state in the folder. A file that cannot be read back is logged and ignored (the show is lost). */
  async load(): Promise<ChannelState[]> {
    await mkdir(this.#dir, { recursive: true });
    const states: ChannelState[] = [];
    for (const name of await readdir(this.#dir)) {
      const file = path.join(this.#dir, name);
      // A write the process died in: the renamed file beside it holds the state.
      if (name.endsWith(SHOW_STATE_TMP_SUFFIX)) {
        await unlink(file).catch(() => undefined);
        continue;
      }
      const slug = slugOfStateFile(name);
      if (slug === undefined) continue;
      try {
        const state = parseChannelState(await readFile(file, 'utf8'));
        if (state.slug !== slug) throw new Error(`it names channel "${state.slug}"`);
        states.push(state);
      } catch (err) {
        this.#log.error({ file, reason: (err as Error).message }, 'ignoring a show state that cannot be read back');
      }
    }
    return states;
  }

  /**
   * Persists `state` in the background; writes of one channel never overlap and only the newest is written. A failed
   * write (a full disk) is logged; the next change writes again.
   */
  save(state: ChannelState): void {
    this.#want(state.slug, { kind: 'write', text: serialiseChannelState(state) });
  }

  /** Deletes the channel's state (after the writes already under way). */
  remove(slug: string): void {
    this.#want(slug, { kind: 'remove' });
  }

  /** Settles once everything asked for so far is on disk (or failed). */
  async idle(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => slot.drained));
  }

  #want(slug: string, pending: Pending): void {
    let slot = this.#slots.get(slug);
    if (slot === undefined) {
      slot = { pending: undefined, drained: undefined };
      this.#slots.set(slug, slot);
    }
    slot.pending = pending;
    slot.drained ??= this.#drain(slug, slot);
  }

  async #drain(slug: string, slot: Slot): Promise<void> {
    for (let next = slot.pending; next !== undefined; next = slot.pending) {
      slot.pending = undefined;
      const file = path.join(this.#dir, showStateFileName(slug));
      try {
        if (next.kind === 'write') {
          const tmp = file + SHOW_STATE_TMP_SUFFIX;
          await writeFile(tmp, next.text);
          await rename(tmp, file);
        } else {
          await unlink(file).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw err;
          });
        }
      } catch (err) {
        this.#log.error({ err, slug, action: next.kind }, 'persisting the show state failed; retried on its next change');
      }
    }
    slot.drained = undefined;
  }
}
