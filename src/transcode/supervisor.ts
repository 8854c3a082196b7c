// Owns every FFmpeg process: one supervised transcoder per live stream, driven by the stream events on the bus.
import type { EventBus, ShopcastEvents } from '../events.js';
import type { Logger } from '../log.js';
import type { Ladder } from '../media.js';
import type { FfmpegInfo } from './capabilities.js';
import { planLadder } from './ladder.js';
import type { Profile } from './profile.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart.js';
import { StreamTranscoder, type TranscoderStats } from './transcoder.js';

export type { TranscoderStats } from './transcoder.js';

export interface SupervisorOptions {
  bus: EventBus;
  log: Logger;
  ffmpeg: FfmpegInfo;
  profileFor: (slug: string) => Profile;
  /** Runs write into `${workRoot}/${slug}/${runId}/${rung index}/`. */
  workRoot: string;
  /** Seconds without output progress, while media keeps arriving, before FFmpeg is killed and restarted. */
  stallTimeoutS: number;
  restart?: RestartPolicy;
}

export class Supervisor {
  readonly #transcoders = new Map<string, StreamTranscoder>();
  /** Ladder of each stream's last publish, reused when the publisher reconnects so public URLs stay valid. */
  readonly #ladders = new Map<string, Ladder>();
  /** Per-stream event queue: a stop finishes before the next start of the same stream begins. */
  readonly #queues = new Map<string, Promise<void>>();
  #unsubscribe: Array<() => void> = [];

  constructor(private readonly opts: SupervisorOptions) {}

  start(): void {
    const { bus } = this.opts;
    this.#unsubscribe = [
      bus.on('stream.live', (event) => this.#enqueue(event.slug, () => this.#live(event))),
      bus.on('stream.interrupted', (event) => this.#enqueue(event.slug, () => this.#halt(event.slug))),
      bus.on('stream.ended', (event) =>
        this.#enqueue(event.slug, async () => {
          await this.#halt(event.slug);
          this.#transcoders.delete(event.slug);
          this.#ladders.delete(event.slug);
        }),
      ),
    ];
  }

  /** Gateway shutdown: stops every FFmpeg and waits for all of them to exit. */
  async stop(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    await Promise.all([...this.#transcoders.keys()].map((slug) => this.#enqueue(slug, () => this.#halt(slug))));
  }

  stats(slug: string): TranscoderStats | undefined {
    return this.#transcoders.get(slug)?.stats();
  }

  async #live({ slug, reconnect, source, feed }: ShopcastEvents['stream.live']): Promise<void> {
    await this.#halt(slug);
    const transcoder = this.#transcoderFor(slug);
    const profile = this.opts.profileFor(slug);
    const previous = reconnect ? this.#ladders.get(slug) : undefined;
    let ladder: Ladder;
    try {
      ladder = planLadder({ profile, source, previous });
    } catch (err) {
      transcoder.fail(`cannot plan a ladder for this source: ${(err as Error).message}`);
      return;
    }
    this.#ladders.set(slug, ladder);
    transcoder.begin({ feed, source, ladder, profile });
  }

  #transcoderFor(slug: string): StreamTranscoder {
    let transcoder = this.#transcoders.get(slug);
    if (!transcoder) {
      const { bus, log, ffmpeg, workRoot, stallTimeoutS, restart = DEFAULT_RESTART_POLICY } = this.opts;
      transcoder = new StreamTranscoder({ slug, bus, log: log.child({ slug }), ffmpeg, workRoot, stallTimeoutS, restart });
      this.#transcoders.set(slug, transcoder);
    }
    return transcoder;
  }

  async #halt(slug: string): Promise<void> {
    await this.#transcoders.get(slug)?.halt();
  }

  #enqueue(slug: string, task: () => Promise<void>): Promise<void> {
    const next = (this.#queues.get(slug) ?? Promise.resolve())
      .then(task)
      .catch((err: unknown) => this.opts.log.error({ slug, err: (err as Error).message }, 'transcoder event failed'));
    this.#queues.set(slug, next);
    void next.then(() => {
      if (this.#queues.get(slug) === next) this.#queues.delete(slug);
    });
    return next;
  }
}
