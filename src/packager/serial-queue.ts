// Runs one channel's tasks one after another, so file moves and playlist updates never interleave.

export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  push(task: () => Promise<void> | void): void {
    this.#tail = this.#tail.then(task).catch(this.#onError);
  }

  /** Settles once every task pushed so far has run. */
  idle(): Promise<void> {
    return this.#tail;
  }
}
