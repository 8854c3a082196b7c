// The packager: moves the segments FFmpeg finished into shopcast's public HLS view, which shopcast owns so that it
// survives encoder restarts, publisher reconnects and gateway restarts (each channel's state is persisted as it
// changes and restored at start). Pure parts (alignment, show model, rendering, state format) live beside it.
import { writeFile } from 'node:fs/promises';
import type { EventBus, ShopcastEvents } from '../events.js';
import type { Logger } from '../log.js';
import { partTargetS, type Ladder } from '../media.js';
import type { Directive, PlaylistPosition } from '../origin/blocking-reload.js';
import type { LiveSegment, MediaLibrary, RenderedPlaylist, TrackSource } from '../origin/ports.js';
import { assertDateRange, type DateRange } from './date-range.js';
import { HotSegments } from './hot-segments.js';
import {
  CHANNEL_SLUG,
  DASH_MANIFEST,
  MASTER_PLAYLIST,
  MEDIA_FILE_NAME,
  RUNG_NAME,
  initFileName,
  UTC_TIME_PATH,
  rungOfMediaPlaylist,
  segmentFileName,
  type DashFileName,
  type PartName,
} from '../media-names.js';
import { nextShowId } from './names.js';
import { PublicFiles, type MediaFile } from './public-files.js';
import { playlistMaxAgeS, renderMasterPlaylist, renderMediaPlaylist } from './render.js';
import { renderMpd } from './render-mpd.js';
import { RunAligner, type AlignedSegment } from './run-aligner.js';
import { LiveParts } from './live-parts.js';
import { RungSegmenter, type RungPart, type RungSegment } from './rung-segmenter.js';
import { SourceKeyframes } from './source-keyframes.js';
import { SerialQueue } from './serial-queue.js';
import { Show } from './show.js';
import { lastActivityMs, type ChannelState } from './show-state.js';
import { StateStore } from './state-store.js';
import type { RunOutputSink, RunRef } from '../transcode/run-output.js';

export interface PackagerOptions {
  bus: EventBus;
  /** Public media root, owned by the packager: `<mediaDir>/<slug>/<rung>/<file>`. */
  mediaDir: string;
  /** Segments in a live media playlist. */
  windowSegments: number;
  /** Seconds a file stays on disk after it left every playlist. */
  segmentGraceS: number;
  /** Where each channel's show state is persisted, so a restarted gateway continues its shows. */
  stateDir: string;
  /** A restored show whose publisher has been gone longer than this is ended at start. */
  reconnectWindowS: number;
  /** Whether the channel still exists: restored state of a deleted one is dropped. */
  isChannel: (slug: string) => boolean;
  log: Logger;
}

/** One part of a rung as it is cut: a fragment of the run's fMP4 stream, with the run's init segment. */
export interface RungMedia {
  runId: string;
  init: Uint8Array;
  bytes: Uint8Array;
  /** Starts with a keyframe. */
  independent: boolean;
}

export type RungMediaListener = (slug: string, rung: string, media: RungMedia) => void;

/** A show restored at start that a publisher coming back may continue. */
export interface ResumableShow {
  slug: string;
  /** The ladder of its latest run: plan the reconnecting publisher with it, or the show cannot continue. */
  ladder: Ladder;
  startedAtMs: number;
  /** When its reconnect window ends: a whole window from the restart (see #restore). */
  windowEndsAtMs: number;
}

/**
 * Packager figures of a channel's current show, for operators. A type alias, not an interface, so that it is
 * assignable to JsonValue as it is.
 */
export type PackagerStatus = {
  showId: string;
  /** Every rung lists at least one segment. */
  playable: boolean;
  ended: boolean;
  targetDurationS: number;
  discontinuitySequence: number;
  rungs: { name: string; mediaSequence: number; segments: number; lastSegmentAt: string | null }[];
};

interface Channel {
  readonly slug: string;
  readonly queue: SerialQueue;
  show: Show | undefined;
  /** Ladder of the show's latest run. */
  ladder: Ladder | undefined;
  /** When the show opened. */
  openedAtMs: number;
  master: RenderedPlaylist | undefined;
  /** The DASH manifest over the same segments. */
  mpd: RenderedPlaylist | undefined;
  /** Each rung's media playlist (low-latency: each lists its own parts). */
  media: Map<string, RenderedPlaylist>;
  /** The parts of the show's segments, per rung. */
  parts: LiveParts | undefined;
  /** The show's newest segments, for the origin to serve from memory. */
  readonly hot: HotSegments;
  /** Set when the stream ended while a run was still active: ENDLIST waits for its last segment until then. */
  endDeadline: NodeJS.Timeout | undefined;
  /**
   * Ranges set and not closed yet, by id: a show opened later starts with them (a pin made before the first segment,
   * or one kept through a reconnect whose ladder needed a new show).
   */
  readonly openRanges: Map<string, DateRange>;
}

interface Run {
  readonly channel: Channel;
  readonly show: Show;
  readonly runIndex: number;
  /** The show's rungs, in show order, with the run's output each comes from. */
  readonly rungs: RunRung[];
  readonly anchorWallClockMs: () => number;
  /** Frozen when the run's first segment is published, so the run's program date times never jump. */
  anchorMs: number | undefined;
  readonly aligner: RunAligner;
  /** Parts of a rung that ran ahead of the others, until their segment is the open one. */
  readonly heldParts: Map<string, RungPart[]>;
  readonly log: Logger;
}

interface RunRung {
  readonly name: string;
  /** Index of the FFmpeg output (the run's ladder rung) it comes from. */
  readonly output: number;
  /** The run's init segment of this rung is published. */
  initPublished: boolean;
}

interface Write {
  rung: RunRung;
  init: boolean;
  bytes: Uint8Array;
  to: MediaFile;
}

/** What a run's outputs are being cut into, from its first bytes on (they may come before its start is handled). */
interface RunInput {
  /** Empty until the run's start is handled (its first keyframes are announced before). */
  readonly segmenters: (RungSegmenter | undefined)[];
  readonly keyframes: SourceKeyframes;
}

// FFmpeg closes its last (short) segment when it exits, usually a moment after the stream ended; ENDLIST waits that
// long for it, no longer.
const RUN_EXIT_WAIT_MS = 10_000;

export class Packager implements MediaLibrary, RunOutputSink {
  readonly #bus: EventBus;
  readonly #files: PublicFiles;
  readonly #states: StateStore;
  readonly #windowSegments: number;
  readonly #reconnectWindowMs: number;
  readonly #isChannel: (slug: string) => boolean;
  readonly #log: Logger;
  readonly #channels = new Map<string, Channel>();
  readonly #runs = new Map<string, Run>();
  readonly #inputs = new Map<string, RunInput>();
  readonly #changeListeners = new Set<(slug: string, rung: string) => void>();
  readonly #mediaListeners = new Set<RungMediaListener>();
  #unsubscribe: (() => void)[] = [];
  #stopped = false;

  constructor(opts: PackagerOptions) {
    this.#bus = opts.bus;
    this.#files = new PublicFiles({ mediaDir: opts.mediaDir, graceS: opts.segmentGraceS, log: opts.log });
    this.#states = new StateStore({ dir: opts.stateDir, log: opts.log });
    this.#windowSegments = opts.windowSegments;
    this.#reconnectWindowMs = opts.reconnectWindowS * 1000;
    this.#isChannel = opts.isChannel;
    this.#log = opts.log;
  }

  /**
   * Restores the shows an earlier process persisted (served again at once, their files kept, other leftovers
   * deleted) and follows the bus. Returns the restored shows still inside their reconnect window.
   */
  async start(): Promise<ResumableShow[]> {
    const resumable: ResumableShow[] = [];
    for (const state of await this.#states.load()) {
      const show = await this.#restore(state);
      if (show !== undefined) resumable.push(show);
    }
    await this.#files.start();
    this.#unsubscribe = [
      this.#bus.on('transcode.run.started', (event) => {
        this.#openInput(event);
        this.#enqueue(event.slug, () => this.#startRun(event));
      }),
      this.#bus.on('transcode.run.ended', (event) => this.#enqueue(event.slug, () => this.#endRun(event.runId))),
      this.#bus.on('stream.ended', (event) => this.#enqueue(event.slug, () => this.#streamEnded(event.slug))),
      this.#bus.on('channel.deleted', (event) => this.#enqueue(event.slug, () => this.#retireChannel(event.slug))),
    ];
    return resumable;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#files.stop();
    for (const channel of this.#channels.values()) clearTimeout(channel.endDeadline);
    await Promise.all([...this.#channels.values()].map((channel) => channel.queue.idle()));
    // A stream that ended while its last run was exiting: that run is gone now, the show is over. Every other show
    // stays open as persisted, for a publisher coming back to the next process.
    for (const channel of this.#channels.values()) if (channel.endDeadline !== undefined) this.#endShow(channel);
    this.#runs.clear();
    this.#inputs.clear();
    await this.#states.idle();
  }

  data(ref: RunRef, output: number, chunk: Buffer): void {
    const input = this.#inputs.get(ref.runId);
    const segmenter = input?.segmenters[output];
    if (input === undefined || segmenter === undefined) return;
    try {
      segmenter.push(chunk);
    } catch (err) {
      // Only our own FFmpeg writes here: a stream that is not fMP4 is a bug, and that rung of the run is lost.
      input.segmenters[output] = undefined;
      this.#log.error({ slug: ref.slug, runId: ref.runId, output, err }, 'unreadable FFmpeg output: rung dropped');
    }
  }

  keyframe(ref: RunRef, mediaS: number): void {
    this.#input(ref.runId).keyframes.add(mediaS);
  }

  end(ref: RunRef, output: number): void {
    this.#inputs.get(ref.runId)?.segmenters[output]?.end();
  }

  /**
   * A run's outputs are cut from its first byte on, so its input exists as soon as the run is announced (its bytes
   * come later: FFmpeg has only just been spawned); what they complete joins the channel's queue behind the start.
   */
  #openInput(event: ShopcastEvents['transcode.run.started']): void {
    const { slug, runId, ladder } = event;
    const { segmenters, keyframes } = this.#input(runId);
    if (segmenters.length > 0) return;
    ladder.rungs.forEach((_, output) =>
      segmenters.push(
        new RungSegmenter({
          segmentDurationS: ladder.segmentDurationS,
          onPart: (part) => this.#enqueue(slug, () => this.#partDone(runId, output, part)),
          onSegment: (segment) => this.#enqueue(slug, () => this.#segmentDone(runId, output, segment)),
          sourceKeyframes: keyframes,
        }),
      ),
    );
  }

  #input(runId: string): RunInput {
    let input = this.#inputs.get(runId);
    if (input === undefined) {
      input = { segmenters: [], keyframes: new SourceKeyframes() };
      this.#inputs.set(runId, input);
    }
    return input;
  }

  /** Every channel's current playlists, as the last `packager.playlists` of each said. */
  playlistsNow(): ShopcastEvents['packager.playlists'][] {
    return [...this.#channels.values()].map((channel) => this.#playlistsOf(channel));
  }

  playlist(slug: string, name: string): RenderedPlaylist | undefined {
    const channel = this.#channels.get(slug);
    if (channel === undefined) return undefined;
    if (name === MASTER_PLAYLIST) return channel.master;
    if (name === DASH_MANIFEST) return channel.mpd;
    const rung = rungOfMediaPlaylist(name);
    return rung === undefined ? undefined : channel.media.get(rung);
  }

  part(slug: string, rung: string, file: string): Uint8Array | undefined {
    return this.#channels.get(slug)?.parts?.bytes(rung, file);
  }

  hotSegment(slug: string, rung: string, file: string): Uint8Array | undefined {
    return this.#channels.get(slug)?.hot.get(rung, file);
  }

  partDirective(slug: string, rung: string, name: PartName): Directive | undefined {
    const channel = this.#channels.get(slug);
    const show = channel?.show;
    if (show === undefined || show.ended || show.showId !== name.showId) return undefined;
    return channel?.parts?.directive(rung, name, show.nextMsn);
  }

  position(slug: string, rung: string): PlaylistPosition | undefined {
    const channel = this.#channels.get(slug);
    const show = channel?.show;
    if (show === undefined || !channel?.media.has(rung)) return undefined;
    return channel.parts?.position(rung, show.nextMsn, show.targetDurationS, show.ended);
  }

  onChange(listener: (slug: string, rung: string) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** `listener` gets every part of every rung of the runs feeding a show, in order, as it is cut. */
  onRungMedia(listener: RungMediaListener): () => void {
    this.#mediaListeners.add(listener);
    return () => this.#mediaListeners.delete(listener);
  }

  segmentPath(slug: string, rung: string, file: string): string | undefined {
    if (!RUNG_NAME.test(rung) || !MEDIA_FILE_NAME.test(file)) return undefined;
    const media = { slug, rung, file };
    return this.#files.has(media) ? this.#files.pathOf(media) : undefined;
  }

  trackSource(slug: string, rung: string, track: DashFileName): TrackSource | undefined {
    const show = this.#channels.get(slug)?.show;
    if (show === undefined || show.showId !== track.showId) return undefined;
    const runIndex = track.kind === 'init' ? track.run : show.segments.find((segment) => segment.msn === track.msn)?.runIndex;
    if (runIndex === undefined) return undefined;
    const init = this.segmentPath(slug, rung, initFileName(show.showId, runIndex));
    if (init === undefined || track.kind === 'init') return init === undefined ? undefined : { init };
    const media = this.segmentPath(slug, rung, track.source);
    return media === undefined ? undefined : { init, media };
  }

  liveSegment(slug: string, rung: string, showId: string, msn: number): LiveSegment | undefined {
    const channel = this.#channels.get(slug);
    const show = channel?.show;
    if (show === undefined || show.ended || show.showId !== showId) return undefined;
    const live = channel?.parts?.segmentParts(rung, msn, show.nextMsn);
    // A segment still to grow must be the live run's: after a reconnect the next one belongs to the next run.
    if (live === undefined || (!live.complete && live.run !== this.#liveRunIndex(show))) return undefined;
    const init = this.segmentPath(slug, rung, initFileName(show.showId, live.run));
    return init === undefined ? undefined : { init, parts: live.parts, complete: live.complete };
  }

  /**
   * Adds or replaces (same id, e.g. with an end) a date range of the channel's show; every media playlist lists it
   * from the next render on. Applied in order with the show's other updates. Throws on a range no playlist can carry.
   */
  setDateRange(slug: string, range: DateRange): void {
    assertDateRange(range);
    const copy = { ...range, attributes: { ...range.attributes } };
    this.#enqueue(slug, () => this.#setDateRange(slug, copy));
  }

  status(slug: string): PackagerStatus | undefined {
    const show = this.#channels.get(slug)?.show;
    if (show === undefined) return undefined;
    const newest = show.segments.at(-1);
    return {
      showId: show.showId,
      playable: show.playable,
      ended: show.ended,
      targetDurationS: show.targetDurationS,
      discontinuitySequence: show.discontinuitySequence,
      rungs: show.rungs.map((rung) => ({
        name: rung.name,
        mediaSequence: show.mediaSequence,
        segments: show.segments.length,
        lastSegmentAt: newest === undefined ? null : new Date(newest.publishedAtMs).toISOString(),
      })),
    };
  }

  #enqueue(slug: string, task: () => Promise<void> | void): void {
    if (this.#stopped) return;
    if (!CHANNEL_SLUG.test(slug)) {
      this.#log.error({ slug }, 'ignoring an event for a slug that cannot be a folder name');
      return;
    }
    this.#channel(slug).queue.push(task);
  }

  #channel(slug: string): Channel {
    let channel = this.#channels.get(slug);
    if (channel === undefined) {
      const queue = new SerialQueue((err) => this.#log.error({ err, slug }, 'packager task failed'));
      channel = {
        slug,
        queue,
        show: undefined,
        ladder: undefined,
        openedAtMs: 0,
        master: undefined,
        mpd: undefined,
        media: new Map(),
        parts: undefined,
        hot: new HotSegments(),
        endDeadline: undefined,
        openRanges: new Map(),
      };
      this.#channels.set(slug, channel);
    }
    return channel;
  }

  async #startRun(event: ShopcastEvents['transcode.run.started']): Promise<void> {
    const channel = this.#channel(event.slug);
    const log = this.#log.child({ slug: event.slug, runId: event.runId });
    if (this.#runs.has(event.runId)) {
      log.warn('run started twice; ignoring the second start');
      return;
    }
    if (event.ladder.rungs.some((rung) => !RUNG_NAME.test(rung.name))) {
      log.error({ rungs: event.ladder.rungs.map((rung) => rung.name) }, 'ladder has a rung name unfit for a URL');
      return;
    }
    const open = channel.show?.ended === false && channel.endDeadline === undefined ? channel.show : undefined;
    const continued = open === undefined ? undefined : runRungs(open, event.ladder);
    if (open !== undefined && continued === undefined) {
      log.warn({ showId: open.showId }, 'the new run lacks rungs of the open show: ending it, starting a new show');
    }
    const show = open !== undefined && continued !== undefined ? open : await this.#openShow(channel, event.ladder);
    // A new show's rungs come from this very ladder, so none is missing.
    const rungs = continued ?? runRungs(show, event.ladder) ?? [];
    const runIndex = show.beginRun();
    channel.ladder = event.ladder;
    this.#save(channel);
    this.#runs.set(event.runId, {
      channel,
      show,
      runIndex,
      rungs,
      anchorWallClockMs: event.anchorWallClockMs,
      anchorMs: undefined,
      aligner: new RunAligner(rungs.length),
      heldParts: new Map(),
      log,
    });
    log.info({ showId: show.showId, runIndex }, 'packaging run');
  }

  async #openShow(channel: Channel, ladder: Ladder): Promise<Show> {
    const previous = channel.show;
    if (previous !== undefined && !previous.ended) this.#endShow(channel);
    // The previous show's last window stayed listed until now.
    this.#files.retireChannel(channel.slug);
    channel.hot.clear();
    const show = new Show({
      showId: nextShowId(Date.now(), previous?.showId),
      rungs: ladder.rungs,
      windowSegments: this.#windowSegments,
      segmentDurationS: ladder.segmentDurationS,
      dateRanges: [...channel.openRanges.values()],
    });
    channel.show = show;
    channel.parts = liveParts(show, ladder);
    channel.openedAtMs = Date.now();
    this.#update(channel);
    await this.#files.prepare(channel.slug, show.rungs.map((rung) => rung.name));
    this.#log.info({ slug: channel.slug, showId: show.showId }, 'show opened');
    return show;
  }

  /** A part of rung `output` of a run: listed at once if its segment is the one being written on every rung. */
  async #partDone(runId: string, output: number, part: RungPart): Promise<void> {
    const run = this.#runs.get(runId);
    const rung = run?.rungs.find((r) => r.output === output);
    if (run === undefined || rung === undefined || run.channel.show !== run.show || !run.show.accepts(run.runIndex)) return;
    const media = { runId, init: part.init, bytes: part.bytes, independent: part.independent };
    for (const listener of this.#mediaListeners) {
      try {
        listener(run.channel.slug, rung.name, media);
      } catch (err) {
        run.log.error({ err, rung: rung.name }, 'rung media listener failed');
      }
    }
    await this.#listPart(run, rung, part);
  }

  async #listPart(run: Run, rung: RunRung, part: RungPart): Promise<void> {
    const { channel, show } = run;
    const parts = channel.parts;
    const next = run.aligner.next;
    if (parts === undefined || part.segment < next.index) return;
    if (part.segment > next.index) {
      run.heldParts.set(rung.name, [...(run.heldParts.get(rung.name) ?? []), part]);
      return;
    }
    // A part refers to its run's init segment: that must be fetchable before the part is listed.
    if (!rung.initPublished && !(await this.#publishInit(run, rung, part.init))) return;
    parts.open({
      run: run.runIndex,
      segment: part.segment,
      discontinuity: show.nextIsDiscontinuity,
      programDateTimeMs: (run.anchorMs ??= run.anchorWallClockMs()) + next.offsetS * 1000,
    });
    if (parts.add(rung.name, part)) this.#renderRung(channel, rung.name);
  }

  async #publishInit(run: Run, rung: RunRung, bytes: Uint8Array): Promise<boolean> {
    const to = { slug: run.channel.slug, rung: rung.name, file: initFileName(run.show.showId, run.runIndex) };
    try {
      await writeFile(this.#files.pathOf(to), bytes);
    } catch (err) {
      run.log.error({ rung: rung.name, err }, 'writing an init segment failed: parts not listed');
      return false;
    }
    rung.initPublished = true;
    this.#files.publish(to);
    return true;
  }

  /** Rung `output` of a run finished a segment: published once every rung of the run has. */
  async #segmentDone(runId: string, output: number, segment: RungSegment): Promise<void> {
    const run = this.#runs.get(runId);
    const rung = run?.rungs.findIndex((r) => r.output === output) ?? -1;
    if (run === undefined || rung < 0) return;
    const { aligned, dropped } = run.aligner.take(rung, [segment], Date.now());
    if (dropped.length > 0) run.log.warn({ dropped }, 'segments missed on some rung: not published');
    for (const done of aligned) await this.#publish(run, done);
  }

  async #endRun(runId: string): Promise<void> {
    const run = this.#runs.get(runId);
    this.#inputs.delete(runId);
    if (run === undefined) return;
    // Every output closed before the run ended, so its last segments are already in the queue, ahead of this.
    const dropped = run.aligner.finish();
    if (dropped.length > 0) run.log.info({ dropped }, 'segments not finished on every rung: not published');
    this.#runs.delete(runId);
    run.log.info('run packaged');
    const { channel } = run;
    if (channel.endDeadline !== undefined && channel.show === run.show && !this.#hasRun(run.show)) {
      this.#endShow(channel);
    }
  }

  #streamEnded(slug: string): void {
    const channel = this.#channels.get(slug);
    const show = channel?.show;
    if (channel === undefined || show === undefined || show.ended || channel.endDeadline !== undefined) return;
    if (!this.#hasRun(show)) {
      this.#endShow(channel);
      return;
    }
    channel.endDeadline = setTimeout(() => this.#enqueue(slug, () => this.#endShow(channel)), RUN_EXIT_WAIT_MS);
  }

  #endShow(channel: Channel): void {
    clearTimeout(channel.endDeadline);
    channel.endDeadline = undefined;
    if (channel.show === undefined || channel.show.ended) return;
    channel.show.end();
    this.#update(channel);
    this.#log.info({ slug: channel.slug, showId: channel.show.showId }, 'show ended');
  }

  #setDateRange(slug: string, range: DateRange): void {
    const channel = this.#channel(slug);
    if (range.endMs === undefined) channel.openRanges.set(range.id, range);
    else channel.openRanges.delete(range.id);
    if (channel.show?.setDateRange(range) === true) this.#update(channel);
    else this.#save(channel);
  }

  #hasRun(show: Show): boolean {
    return [...this.#runs.values()].some((run) => run.show === show);
  }

  /** The run making `show`'s segments now, if one is. */
  #liveRunIndex(show: Show): number | undefined {
    return [...this.#runs.values()].filter((run) => run.show === show).at(-1)?.runIndex;
  }

  /** Publishes one aligned segment on every rung: files first, then the playlists that list it. */
  async #publish(run: Run, aligned: AlignedSegment): Promise<void> {
    const { show, channel } = run;
    if (!show.accepts(run.runIndex)) {
      run.log.debug({ index: aligned.index }, 'segment of a superseded run: not published');
      return;
    }
    const moved = await this.#writeIn(run, aligned);
    if (moved === undefined) return;
    const { segment, evicted, releasedRun } = show.append({
      runIndex: run.runIndex,
      durationS: aligned.durationS,
      programDateTimeMs: (run.anchorMs ??= run.anchorWallClockMs()) + aligned.offsetS * 1000,
      runTimeS: aligned.offsetS,
      publishedAtMs: Date.now(),
    });
    for (const { bytes: _, ...file } of moved) this.#files.publish(file);
    channel.hot.add(segment.msn, moved);
    const left = [
      ...(evicted === undefined ? [] : [segmentFileName(show.showId, evicted.msn)]),
      ...(releasedRun === undefined ? [] : [initFileName(show.showId, releasedRun)]),
    ];
    const slug = channel.slug;
    this.#files.retire(show.rungs.flatMap((rung) => left.map((name) => ({ slug, rung: rung.name, file: name }))));
    channel.parts?.finish(segment.msn);
    this.#update(channel);
    this.#bus.emit('packager.published', {
      slug,
      mediaShowId: show.showId,
      msn: segment.msn,
      runIndex: run.runIndex,
      durationS: segment.durationS,
      programDateTimeMs: segment.programDateTimeMs,
      runTimeS: aligned.offsetS,
      discontinuity: segment.discontinuity,
      rungs: show.rungs.flatMap((rung) => {
        const file = moved.find((m) => m.rung === rung.name);
        const init = { slug, rung: rung.name, file: initFileName(show.showId, run.runIndex) };
        return file === undefined ? [] : [{ rung, segmentPath: this.#files.pathOf(file), initPath: this.#files.pathOf(init) }];
      }),
    });
    // Parts of rungs that ran ahead belong to the segment now open.
    for (const rung of run.rungs) {
      const held = run.heldParts.get(rung.name) ?? [];
      run.heldParts.delete(rung.name);
      for (const part of held) await this.#listPart(run, rung, part);
    }
    const { msn, durationS, publishedAtMs } = segment;
    show.rungs.forEach((rung, i) => {
      const listedAtMs = aligned.parts[i]?.listedAtMs ?? publishedAtMs;
      this.#bus.emit('packager.segment', { slug, rung: rung.name, msn, durationS, listedAtMs });
    });
  }

  /**
   * Writes the segment of every rung (and the run's init segments, the first time) into the public folders under the
   * next sequence number; returns the segment files with their bytes, or undefined if a write failed.
   */
  async #writeIn(run: Run, aligned: AlignedSegment): Promise<Array<MediaFile & { bytes: Uint8Array }> | undefined> {
    const { show, channel } = run;
    const file = segmentFileName(show.showId, show.nextMsn);
    const initFile = initFileName(show.showId, run.runIndex);
    const writes: Write[] = [];
    run.rungs.forEach((rung, i) => {
      const segment = aligned.parts[i];
      if (segment === undefined) return;
      const to = { slug: channel.slug, rung: rung.name };
      if (!rung.initPublished) writes.push({ rung, init: true, bytes: segment.init, to: { ...to, file: initFile } });
      writes.push({ rung, init: false, bytes: segment.bytes, to: { ...to, file } });
    });
    const results = await Promise.allSettled(writes.map((write) => writeFile(this.#files.pathOf(write.to), write.bytes)));
    writes.forEach((write, i) => {
      if (!write.init || results[i]?.status !== 'fulfilled') return;
      write.rung.initPublished = true;
      this.#files.publish(write.to);
    });
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    if (failures.length > 0) {
      // The sequence number stays free: the next segment takes these names, and nothing listed what was written.
      run.log.error({ index: aligned.index, failures }, 'writing a finished segment failed: not published');
      return undefined;
    }
    return writes.filter((write) => !write.init).map((write) => ({ ...write.to, bytes: write.bytes }));
  }

  /** The show changed: its playlists are rendered and its state persisted. */
  #update(channel: Channel): void {
    this.#render(channel);
    this.#save(channel);
  }

  #render(channel: Channel): void {
    const show = channel.show;
    channel.media = new Map();
    if (show === undefined || !show.playable) {
      channel.master = undefined;
      channel.mpd = undefined;
    } else {
      const maxAgeS = playlistMaxAgeS(show.targetDurationS);
      channel.master = { body: renderMasterPlaylist(show.rungs), maxAgeS };
      const runIndex = this.#liveRunIndex(show);
      const lowLatency =
        runIndex === undefined || channel.parts === undefined || channel.ladder === undefined
          ? undefined
          : { runIndex, partTargetS: channel.parts.partTargetS, segmentDurationS: channel.ladder.segmentDurationS };
      channel.mpd = { body: renderMpd({ show, rungs: show.rungs, utcTimingUrl: UTC_TIME_PATH, lowLatency }), maxAgeS };
      for (const rung of show.rungs) channel.media.set(rung.name, this.#mediaPlaylist(channel, show, rung.name));
    }
    this.#bus.emit('packager.playlists', this.#playlistsOf(channel));
    for (const rung of show?.rungs ?? []) this.#changed(channel.slug, rung.name);
  }

  /** A new part on one rung: only its playlist changes (its rendition reports in the others follow with the next). */
  #renderRung(channel: Channel, rung: string): void {
    const show = channel.show;
    if (show === undefined || !show.playable) return;
    channel.media.set(rung, this.#mediaPlaylist(channel, show, rung));
    this.#bus.emit('packager.playlists', this.#playlistsOf(channel));
    this.#changed(channel.slug, rung);
  }

  #mediaPlaylist(channel: Channel, show: Show, rung: string): RenderedPlaylist {
    const parts = channel.parts?.view(rung, show.nextMsn);
    // A low-latency playlist changes with every part: a CDN may keep it only as long as a blocking request's
    // answer (which is cached under its own query), never the plain URL.
    return { body: renderMediaPlaylist(show, parts), maxAgeS: parts === undefined ? playlistMaxAgeS(show.targetDurationS) : 0 };
  }

  #changed(slug: string, rung: string): void {
    for (const listener of this.#changeListeners) {
      try {
        listener(slug, rung);
      } catch (err) {
        this.#log.error({ err, slug, rung }, 'playlist change listener failed');
      }
    }
  }

  #playlistsOf(channel: Channel): ShopcastEvents['packager.playlists'] {
    return {
      slug: channel.slug,
      master: channel.master ?? null,
      media: Object.fromEntries(channel.media),
      rungs: channel.show?.rungs.map((rung) => rung.name) ?? [],
    };
  }

  #save(channel: Channel): void {
    const { slug, show, ladder } = channel;
    if (show === undefined || ladder === undefined) return;
    this.#states.save({
      slug,
      ladder,
      show: show.snapshot(),
      openRanges: [...channel.openRanges.values()],
      files: this.#files.filesOf(slug),
      openedAtMs: channel.openedAtMs,
    });
  }

  /** Brings a persisted show back: served at once, ended if its publisher has been gone for the whole window. */
  async #restore(state: ChannelState): Promise<ResumableShow | undefined> {
    const { slug } = state;
    const log = this.#log.child({ slug, showId: state.show.showId });
    if (!this.#isChannel(slug)) {
      log.info('dropping the persisted show of a channel that no longer exists');
      this.#states.remove(slug);
      return undefined;
    }
    const adopted = await this.#files.adopt(slug, state.files);
    if (adopted.length < state.files.length) log.debug({ gone: state.files.length - adopted.length }, 'persisted files gone');
    const channel = this.#channel(slug);
    const show = Show.restore(state.show, this.#windowSegments);
    channel.show = show;
    channel.parts = liveParts(show, state.ladder);
    channel.ladder = state.ladder;
    channel.openedAtMs = state.openedAtMs;
    // The seller could not reconnect while the gateway was down: a show that was inside its window when the gateway
    // went (its last segment less than a window old) gets a whole window from now, so it is held at most two windows
    // after its last media.
    const now = Date.now();
    const resumable = !show.ended && lastActivityMs(state) + this.#reconnectWindowMs > now;
    const windowEndsAtMs = now + this.#reconnectWindowMs;
    if (!show.ended && !resumable) {
      // Its pins were closed with the show's record, which knows nothing of the packager: no later show inherits them.
      show.end();
      log.info('restored show ended: its reconnect window passed while the gateway was down');
    } else {
      for (const range of state.openRanges) channel.openRanges.set(range.id, range);
    }
    this.#update(channel);
    log.info({ resumable, mediaSequence: show.mediaSequence, nextMsn: show.nextMsn }, 'show restored');
    return resumable ? { slug, ladder: state.ladder, startedAtMs: state.openedAtMs, windowEndsAtMs } : undefined;
  }

  /** A deleted channel: its playlists go at once, its files after their grace, its persisted state now. */
  #retireChannel(slug: string): void {
    const channel = this.#channel(slug);
    clearTimeout(channel.endDeadline);
    channel.endDeadline = undefined;
    for (const [runId, run] of this.#runs) {
      if (run.channel !== channel) continue;
      this.#runs.delete(runId);
      this.#inputs.delete(runId);
    }
    channel.show = undefined;
    channel.parts = undefined;
    channel.ladder = undefined;
    channel.openRanges.clear();
    channel.hot.clear();
    this.#files.retireChannel(slug);
    this.#render(channel);
    this.#states.remove(slug);
    this.#log.info({ slug }, 'deleted channel retired');
  }
}

function liveParts(show: Show, ladder: Ladder): LiveParts {
  return new LiveParts({
    showId: show.showId,
    rungs: show.rungs.map((rung) => rung.name),
    partTargetS: partTargetS(ladder),
    segmentDurationS: ladder.segmentDurationS,
  });
}

/** Which output of a run each rung of the show comes from, or undefined if its ladder lacks one of them. */
function runRungs(show: Show, ladder: Ladder): RunRung[] | undefined {
  const rungs: RunRung[] = [];
  for (const { name } of show.rungs) {
    const output = ladder.rungs.findIndex((rung) => rung.name === name);
    if (output < 0) return undefined;
    rungs.push({ name, output, initPublished: false });
  }
  return rungs;
}
