// Records every show as it is packaged: the segments the packager publishes are hard-linked (no second encode, no
// second copy on disk) into a folder per show, which outlives the live window. A recording follows its show (the
// store's), so FFmpeg restarts, seller reconnects and gateway restarts inside the show continue it; a quota stops
// recording, never the show; a retention policy removes old recordings.
import { appendFile, copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EventBus } from '../../events.js';
import type { Logger } from '../../log.js';
import type { Rung } from '../../media.js';
import { RECORDING_FILE_PREFIX, initFileName, segmentFileName } from '../../media-names.js';
import type { PublishedSegment } from '../published-segment.js';
import { SerialQueue } from '../serial-queue.js';
import {
  parseMeta,
  parseSegments,
  replayDurationS,
  replayRungs,
  replayOffsetS,
  segmentAtOffset,
  serialiseMeta,
  serialiseSegment,
  type RecordedSegment,
  type RecordingMeta,
  type RecordingStatus,
  type StopReason,
} from './recording-index.js';

export interface RecorderOptions {
  bus: EventBus;
  /** `<dir>/<showId>/`: recording.json, segments.jsonl, `<rung>/r-<n>.m4s`, `<rung>/r-init<k>.mp4`, images/. */
  dir: string;
  /** Bytes all recordings may take together; a recording that would pass it stops (its show goes on). */
  quotaBytes: number;
  /** Days a finished recording is kept; 0 keeps it until its seller deletes it. */
  retentionDays: number;
  log: Logger;
  now?: () => number;
}

/** What the API and the replay page learn of a recording. */
export interface RecordingView {
  showId: string;
  slug: string;
  status: RecordingStatus;
  stoppedReason: StopReason | null;
  durationS: number;
  bytes: number;
  /** The rungs the replay offers. */
  rungs: string[];
}

export interface RecordingTotals {
  bytes: number;
  /** Recordings kept (recording, stopped or ready; not deleted or expired). */
  recordings: number;
  quotaBytes: number;
}

/** The recorded files of one moment of a replay, for a picture of it. */
export interface FrameSource {
  /** Highest rung first. */
  rungs: { rung: Rung; init: string; media: string }[];
  /** Seconds into the media segment. */
  withinS: number;
}

/** A recording's files, as the VOD library serves them. */
export interface RecordedFiles {
  meta: RecordingMeta;
  segments: readonly RecordedSegment[];
  /** Absolute path of `file` of `rung`, or undefined if the recording has no such file. */
  pathOf(rung: string, file: string): string | undefined;
}

interface Recording {
  meta: RecordingMeta;
  segments: RecordedSegment[];
  /** `<mediaShowId>/<runIndex>` → init number. */
  readonly inits: Map<string, number>;
  bytes: number;
  /** A segment was skipped (a write failed): the next one starts after a discontinuity. */
  gap: boolean;
  readonly queue: SerialQueue;
  /** Its files as served, once it is ready (a ready recording changes only when it goes). */
  served: RecordedFiles | undefined;
}

const META_FILE = 'recording.json';
const SEGMENTS_FILE = 'segments.jsonl';
const IMAGES_DIR = 'images';
const RECORDING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_MS = 24 * 3600_000;
const RETENTION_SWEEP_MS = 3600_000;
const GONE: ReadonlySet<RecordingStatus> = new Set(['deleted', 'expired']);
const OPEN: ReadonlySet<RecordingStatus> = new Set(['recording', 'stopped']);

export class Recorder {
  readonly #opts: RecorderOptions;
  readonly #dir: string;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #recordings = new Map<string, Recording>();
  /** The recording each channel's show in progress is kept in. */
  readonly #current = new Map<string, string>();
  /** Open recordings an earlier process left, until their show is resumed or settle() closes them. */
  readonly #unclaimed = new Set<string>();
  /** Folders being removed of recordings no longer listed (a deleted channel's, an empty one). */
  readonly #removals = new Set<Promise<void>>();
  #unsubscribe: (() => void)[] = [];
  #sweep: NodeJS.Timeout | undefined;

  constructor(opts: RecorderOptions) {
    this.#opts = opts;
    this.#dir = path.resolve(opts.dir);
    this.#log = opts.log;
    this.#now = opts.now ?? Date.now;
  }

  /** Reads the recordings on disk and follows the bus; call settle() once the resumed shows were announced. */
  async start(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const name of await readdir(this.#dir)) {
      if (!RECORDING_ID.test(name)) continue;
      const recording = await this.#load(name);
      if (recording === undefined) continue;
      this.#recordings.set(name, recording);
      if (OPEN.has(recording.meta.status)) this.#unclaimed.add(name);
    }
    const { bus } = this.#opts;
    this.#unsubscribe = [
      bus.on('show.started', (event) => this.#showStarted(event)),
      bus.on('show.ended', ({ slug, showId, endedAt }) => this.#showEnded(slug, showId, Date.parse(endedAt))),
      bus.on('packager.published', (segment) => this.#published(segment)),
      bus.on('channel.deleted', ({ slug }) => this.#channelDeleted(slug)),
    ];
    this.#applyRetention();
    this.#sweep = setInterval(() => this.#applyRetention(), RETENTION_SWEEP_MS);
    this.#sweep.unref();
  }

  /** Recordings an earlier process left open whose show this one does not continue are complete as they are. */
  settle(): void {
    for (const showId of this.#unclaimed) {
      const recording = this.#recordings.get(showId);
      if (recording !== undefined) this.#finish(recording, this.#now());
    }
    this.#unclaimed.clear();
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    clearInterval(this.#sweep);
    await this.idle();
  }

  /** Settles once the file work queued so far is done. */
  async idle(): Promise<void> {
    await Promise.all([...[...this.#recordings.values()].map((recording) => recording.queue.idle()), ...this.#removals]);
  }

  view(showId: string): RecordingView | undefined {
    const recording = this.#recordings.get(showId);
    if (recording === undefined) return undefined;
    const { meta, segments } = recording;
    return {
      showId,
      slug: meta.slug,
      status: meta.status,
      stoppedReason: meta.stoppedReason,
      durationS: replayDurationS(segments),
      bytes: recording.bytes,
      rungs: replayRungs(meta, segments).map((rung) => rung.name),
    };
  }

  /** Where in the replay of `showId` the wall-clock moment `atMs` is, or undefined without a recording. */
  offsetAt(showId: string, atMs: number): number | undefined {
    const recording = this.#recordings.get(showId);
    return recording === undefined ? undefined : replayOffsetS(recording.segments, atMs);
  }

  /** The files of a ready recording, or undefined (none, still live, or gone). */
  files(showId: string): RecordedFiles | undefined {
    const recording = this.#recordings.get(showId);
    if (recording?.meta.status !== 'ready') return undefined;
    recording.served ??= this.#served(recording);
    return recording.served;
  }

  #served(recording: Recording): RecordedFiles {
    const { meta, segments } = recording;
    const showId = meta.showId;
    const names = new Map<string, { rungs: readonly string[] }>();
    for (const segment of segments) {
      names.set(segmentFileName(RECORDING_FILE_PREFIX, segment.n), segment);
      const init = initFileName(RECORDING_FILE_PREFIX, segment.init);
      if (!names.has(init)) names.set(init, segment);
    }
    return {
      meta,
      segments,
      pathOf: (rung, file) => (names.get(file)?.rungs.includes(rung) ? this.#path(showId, rung, file) : undefined),
    };
  }

  /** What the recordings take now (all of them, against the quota), for operators' metrics. */
  totals(): RecordingTotals {
    let recordings = 0;
    for (const recording of this.#recordings.values()) if (!GONE.has(recording.meta.status)) recordings += 1;
    return { bytes: this.#totalBytes(), recordings, quotaBytes: this.#opts.quotaBytes };
  }

  /** Whether the recording of `showId` was deleted or expired (its URLs answer 410). */
  gone(showId: string): boolean {
    const status = this.#recordings.get(showId)?.meta.status;
    return status !== undefined && GONE.has(status);
  }

  frameAt(showId: string, offsetS: number): FrameSource | undefined {
    const files = this.files(showId);
    const at = files === undefined ? undefined : segmentAtOffset(files.segments, offsetS);
    if (files === undefined || at === undefined) return undefined;
    const rungs = replayRungs(files.meta, files.segments).flatMap((rung) => {
      const init = files.pathOf(rung.name, initFileName(RECORDING_FILE_PREFIX, at.segment.init));
      const media = files.pathOf(rung.name, segmentFileName(RECORDING_FILE_PREFIX, at.segment.n));
      return init === undefined || media === undefined ? [] : [{ rung, init, media }];
    });
    return { rungs, withinS: at.withinS };
  }

  /** The folder for pictures made of a ready recording (deleted with it), or undefined. */
  imagesDir(showId: string): string | undefined {
    return this.files(showId) === undefined ? undefined : path.join(this.#dir, showId, IMAGES_DIR);
  }

  /** Deletes a recording's files; its URLs answer 410 from now on. False if there is nothing to delete. */
  async delete(showId: string): Promise<boolean> {
    const recording = this.#recordings.get(showId);
    if (recording === undefined || GONE.has(recording.meta.status)) return false;
    await this.#remove(recording, 'deleted');
    return true;
  }

  #showStarted({ slug, showId, resumed }: { slug: string; showId: string; resumed: boolean }): void {
    const previous = this.#current.get(slug);
    const before = previous === undefined ? undefined : this.#recordings.get(previous);
    if (before !== undefined && previous !== showId) this.#finish(before, this.#now());
    const existing = this.#recordings.get(showId);
    this.#unclaimed.delete(showId);
    if (resumed && existing !== undefined && OPEN.has(existing.meta.status)) {
      this.#current.set(slug, showId);
      this.#log.info({ slug, showId }, 'recording resumed');
      return;
    }
    if (existing !== undefined || !RECORDING_ID.test(showId)) return;
    const recording = newRecording(
      { showId, slug, status: 'recording', stoppedReason: null, createdAtMs: this.#now(), endedAtMs: null, rungs: [] },
      this.#log,
    );
    this.#recordings.set(showId, recording);
    this.#current.set(slug, showId);
    recording.queue.push(async () => {
      await mkdir(path.join(this.#dir, showId), { recursive: true });
      await this.#writeMeta(recording);
    });
    this.#log.info({ slug, showId }, 'recording started');
  }

  #showEnded(slug: string, showId: string, endedAtMs: number): void {
    if (this.#current.get(slug) === showId) this.#current.delete(slug);
    const recording = this.#recordings.get(showId);
    if (recording !== undefined) this.#finish(recording, endedAtMs);
  }

  /** The show is over: its recording becomes a replay, or goes if nothing was recorded. */
  #finish(recording: Recording, endedAtMs: number): void {
    const { meta } = recording;
    for (const [slug, showId] of this.#current) if (showId === meta.showId) this.#current.delete(slug);
    if (!OPEN.has(meta.status)) return;
    recording.queue.push(async () => {
      if (!OPEN.has(meta.status)) return;
      if (recording.segments.length === 0) {
        this.#recordings.delete(meta.showId);
        await rm(path.join(this.#dir, meta.showId), { recursive: true, force: true });
        this.#log.info({ slug: meta.slug, showId: meta.showId }, 'nothing was recorded of the show');
        return;
      }
      meta.status = 'ready';
      meta.endedAtMs = endedAtMs;
      await this.#writeMeta(recording);
      this.#announce(recording);
      this.#log.info({ slug: meta.slug, showId: meta.showId, durationS: Math.round(replayDurationS(recording.segments)), bytes: recording.bytes }, 'recording ready');
    });
  }

  #published(segment: PublishedSegment): void {
    const showId = this.#current.get(segment.slug);
    const recording = showId === undefined ? undefined : this.#recordings.get(showId);
    if (recording === undefined) return;
    recording.queue.push(() => this.#record(recording, segment));
  }

  async #record(recording: Recording, published: PublishedSegment): Promise<void> {
    const { meta } = recording;
    if (meta.status !== 'recording') return;
    const source = `${published.mediaShowId}/${published.runIndex}`;
    const knownInit = recording.inits.get(source);
    const init = knownInit ?? recording.inits.size;
    const n = recording.segments.length;
    const files = published.rungs.flatMap(({ rung, segmentPath, initPath }) => [
      { from: segmentPath, to: this.#path(meta.showId, rung.name, segmentFileName(RECORDING_FILE_PREFIX, n)) },
      ...(knownInit === undefined ? [{ from: initPath, to: this.#path(meta.showId, rung.name, initFileName(RECORDING_FILE_PREFIX, init)) }] : []),
    ]);
    let bytes: number;
    try {
      bytes = (await Promise.all(files.map((file) => stat(file.from)))).reduce((sum, info) => sum + info.size, 0);
    } catch (err) {
      this.#skip(recording, published, err);
      return;
    }
    if (this.#totalBytes() + bytes > this.#opts.quotaBytes) {
      await this.#stopRecording(recording, 'quota');
      return;
    }
    try {
      if (meta.rungs.length === 0) {
        meta.rungs = published.rungs.map(({ rung }) => rung);
        await this.#writeMeta(recording);
      }
      await Promise.all(published.rungs.map(({ rung }) => mkdir(path.join(this.#dir, meta.showId, rung.name), { recursive: true })));
      await Promise.all(files.map((file) => linkOrCopy(file.from, file.to)));
      const recorded: RecordedSegment = {
        n,
        durationS: published.durationS,
        programDateTimeMs: published.programDateTimeMs,
        runTimeS: published.runTimeS,
        init,
        source,
        discontinuity: published.discontinuity || knownInit === undefined || recording.gap,
        rungs: published.rungs.map(({ rung }) => rung.name),
        bytes,
      };
      await appendFile(path.join(this.#dir, meta.showId, SEGMENTS_FILE), serialiseSegment(recorded));
      recording.segments.push(recorded);
      recording.inits.set(source, init);
      recording.bytes += bytes;
      recording.gap = false;
    } catch (err) {
      this.#skip(recording, published, err);
    }
  }

  #skip(recording: Recording, published: PublishedSegment, err: unknown): void {
    recording.gap = true;
    this.#log.warn({ slug: published.slug, showId: recording.meta.showId, msn: published.msn, reason: (err as Error).message }, 'a segment could not be recorded: the replay skips it');
  }

  async #stopRecording(recording: Recording, reason: StopReason): Promise<void> {
    const { meta } = recording;
    meta.status = 'stopped';
    meta.stoppedReason = reason;
    await this.#writeMeta(recording);
    this.#announce(recording);
    this.#log.warn({ slug: meta.slug, showId: meta.showId, quotaBytes: this.#opts.quotaBytes }, 'recording stopped: the recordings quota is full (the show goes on)');
  }

  #channelDeleted(slug: string): void {
    this.#current.delete(slug);
    for (const recording of [...this.#recordings.values()]) {
      if (recording.meta.slug !== slug) continue;
      // The channel's shows went with it: nothing of them is left to answer for.
      this.#recordings.delete(recording.meta.showId);
      recording.queue.push(() => rm(path.join(this.#dir, recording.meta.showId), { recursive: true, force: true }));
      const removal = recording.queue.idle();
      this.#removals.add(removal);
      void removal.finally(() => this.#removals.delete(removal));
    }
  }

  #applyRetention(): void {
    const { retentionDays } = this.#opts;
    if (retentionDays === 0) return;
    const before = this.#now() - retentionDays * DAY_MS;
    for (const recording of this.#recordings.values()) {
      const { endedAtMs, status } = recording.meta;
      if (status === 'ready' && endedAtMs !== null && endedAtMs < before) void this.#remove(recording, 'expired');
    }
  }

  /** Deletes the files, keeping the description as a tombstone so the URLs answer 410. */
  async #remove(recording: Recording, status: 'deleted' | 'expired'): Promise<void> {
    const { meta } = recording;
    for (const [slug, showId] of this.#current) if (showId === meta.showId) this.#current.delete(slug);
    meta.status = status;
    recording.served = undefined;
    recording.queue.push(async () => {
      const dir = path.join(this.#dir, meta.showId);
      const kept = new Set([META_FILE]);
      for (const name of await readdir(dir).catch(() => [])) {
        if (!kept.has(name)) await rm(path.join(dir, name), { recursive: true, force: true });
      }
      recording.segments = [];
      recording.bytes = 0;
      await this.#writeMeta(recording);
      this.#announce(recording);
      this.#log.info({ slug: meta.slug, showId: meta.showId }, status === 'deleted' ? 'recording deleted' : 'recording expired');
    });
    await recording.queue.idle();
  }

  #announce(recording: Recording): void {
    const { meta, segments } = recording;
    this.#opts.bus.emit('recording.state', { slug: meta.slug, showId: meta.showId, status: meta.status, durationS: replayDurationS(segments) });
  }

  #totalBytes(): number {
    let total = 0;
    for (const recording of this.#recordings.values()) total += recording.bytes;
    return total;
  }

  async #writeMeta(recording: Recording): Promise<void> {
    const file = path.join(this.#dir, recording.meta.showId, META_FILE);
    await writeFile(`${file}.tmp`, serialiseMeta(recording.meta));
    await rename(`${file}.tmp`, file);
  }

  async #load(showId: string): Promise<Recording | undefined> {
    const dir = path.join(this.#dir, showId);
    try {
      const meta = parseMeta(await readFile(path.join(dir, META_FILE), 'utf8'));
      if (meta.showId !== showId) throw new Error(`it names show ${meta.showId}`);
      const segments = GONE.has(meta.status)
        ? []
        : parseSegments(await readFile(path.join(dir, SEGMENTS_FILE), 'utf8').catch(() => ''));
      const recording = newRecording(meta, this.#log);
      recording.segments = segments;
      for (const segment of segments) {
        recording.inits.set(segment.source, segment.init);
        recording.bytes += segment.bytes;
      }
      return recording;
    } catch (err) {
      this.#log.error({ showId, reason: (err as Error).message }, 'ignoring a recording that cannot be read back');
      return undefined;
    }
  }

  #path(showId: string, rung: string, file: string): string {
    return path.join(this.#dir, showId, rung, file);
  }
}

function newRecording(meta: RecordingMeta, log: Logger): Recording {
  return {
    meta,
    segments: [],
    inits: new Map(),
    bytes: 0,
    gap: false,
    served: undefined,
    queue: new SerialQueue((err) => log.error({ err, showId: meta.showId }, 'recording task failed')),
  };
}

/**
 * A hard link where the folders share a file system, else a copy. What a failed attempt left under the name (the
 * number is taken again by the next segment) is replaced.
 */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
    await copyFile(from, to);
  }
}
