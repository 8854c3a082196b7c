// Owns every FFmpeg process: one supervised transcoder per live stream, driven by the stream events on the bus.
import type { EventBus, ShopcastEvents } from '../events.js';
import type { Logger } from '../log.js';
import type { FlvFeed, Ladder, SourceInfo } from '../media.js';
import type { FfmpegInfo } from './capabilities.js';
import { keyframeIntervalWaitMs, keyframesFit, planLadder, type PlanLadderOptions } from './ladder.js';
import type { Profile } from './profile.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart.js';
import type { RunOutputSink } from './run-output.js';
import { StreamTranscoder, type TranscoderStats } from './transcoder.js';

export type { TranscoderStats } from './transcoder.js';

export interface SupervisorOptions {
  bus: EventBus;
  log: Logger;
  ffmpeg: FfmpegInfo;
  profileFor: (slug: string) => Profile;
  /** Where each run's media go as FFmpeg writes them. */
  output: RunOutputSink;
  /** The folder media are written to: transcoding pauses while its disk is full. */
  diskDir: string;
  /** Seconds without output progress, while media keeps arriving, before FFmpeg is killed and restarted. */
  stallTimeoutS: number;
  restart?: RestartPolicy;
}

function withKeyframeInterval(source: SourceInfo, keyframeIntervalS: number | null): SourceInfo {
  return source.video ? { ...source, video: { ...source.video, keyframeIntervalS } } : source;
}

export class Supervisor {
  /** The publish each stream's transcoding belongs to; gone once it was interrupted or ended. */
  readonly #publishes = new Map<string, string>();
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
      bus.on('stream.interrupted', (event) => {
        this.#publishes.delete(event.slug);
        return this.#enqueue(event.slug, () => this.#halt(event.slug));
      }),
      bus.on('stream.ended', (event) => {
        this.#publishes.delete(event.slug);
        return this.#enqueue(event.slug, async () => {
          await this.#halt(event.slug);
          this.#transcoders.delete(event.slug);
          this.#ladders.delete(event.slug);
        });
      }),
    ];
  }

  /**
   * Shows an earlier process left inside their reconnect window: a publisher coming back to one is planned with its
   * ladder, as after a reconnect within one process, so the show keeps its rungs.
   */
  resume(shows: readonly { slug: string; ladder: Ladder }[]): void {
    for (const { slug, ladder } of shows) this.#ladders.set(slug, ladder);
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

  async #live(event: ShopcastEvents['stream.live']): Promise<void> {
    const { slug, reconnect, source: announced, feed, publishId } = event;
    await this.#halt(slug);
    this.#publishes.set(slug, publishId);
    const profile = this.opts.profileFor(slug);
    const previous = reconnect ? this.#ladders.get(slug) : undefined;
    const waitMs = keyframeIntervalWaitMs({ profile, source: announced, previous });
    if (waitMs === 0) {
      this.#begin({ slug, feed, profile, previous, source: announced });
      return;
    }
    // Start at once as if the source's keyframes fit: no rung can finish a segment before the second keyframe, so a
    // wrong guess costs nothing visible, and a right one saves the wait for that keyframe on every show start.
    const tentative = this.#begin({ slug, feed, profile, previous, source: withKeyframeInterval(announced, profile.segmentDurationS) });
    void feed.keyframeInterval(waitMs).then((keyframeIntervalS) =>
      this.#enqueue(slug, async () => {
        const superseded = this.#publishes.get(slug) !== publishId || this.#ladders.get(slug) !== tentative;
        if (superseded || keyframesFit({ keyframeIntervalS, segmentDurationS: profile.segmentDurationS })) return;
        this.opts.log.info(
          // null: no second keyframe came within the wait, so the interval is longer than waitedS.
          { slug, keyframeIntervalS, waitedS: waitMs / 1000, segmentDurationS: profile.segmentDurationS },
          'source keyframes do not fit the segments: encoding every rung instead of copying the source',
        );
        // Killed, not flushed: the tentative run's short last segment must not open the show with the wrong rungs.
        await this.#transcoders.get(slug)?.halt({ flush: false });
        this.#begin({ slug, feed, profile, previous, source: withKeyframeInterval(announced, keyframeIntervalS) });
      }),
    );
  }

  /** Plans the ladder and starts transcoding; a source that cannot be planned fails the stream. */
  #begin({ slug, feed, ...plan }: PlanLadderOptions & { slug: string; feed: FlvFeed }): Ladder | undefined {
    const transcoder = this.#transcoderFor(slug);
    let ladder: Ladder;
    try {
      ladder = planLadder(plan);
    } catch (err) {
      transcoder.fail(`cannot plan a ladder for this source: ${(err as Error).message}`);
      return undefined;
    }
    this.#ladders.set(slug, ladder);
    transcoder.begin({ feed, source: plan.source, ladder, profile: plan.profile });
    return ladder;
  }

  #transcoderFor(slug: string): StreamTranscoder {
    let transcoder = this.#transcoders.get(slug);
    if (!transcoder) {
      const { bus, log, ffmpeg, output, diskDir, stallTimeoutS, restart = DEFAULT_RESTART_POLICY } = this.opts;
      const streamLog = log.child({ slug });
      transcoder = new StreamTranscoder({ slug, bus, log: streamLog, ffmpeg, output, diskDir, stallTimeoutS, restart });
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
