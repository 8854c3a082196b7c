// Rung media for restream tests: FFmpeg runs cut into the parts the packager hands a rung feed, FLV bytes collected
// from a sink and read back as tags, and FFmpeg's own view of an output file.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FlvTag } from '../../../src/ingest/flv.js';
import type { FlvSink } from '../../../src/media.js';
import type { RungMedia } from '../../../src/packager/packager.js';
import { FlvTagSplitter } from '../../../src/restream/flv-splitter.js';
import type { EncodedRung } from '../packager/fmp4-runs.js';

const run = promisify(execFile);

/** The parts of one FFmpeg run of a rung, in order: each segment's first part starts with a keyframe. */
export function partsOf(runId: string, rung: EncodedRung): RungMedia[] {
  return rung.segments.flatMap((segment) => segment.map((bytes, i) => ({ runId, init: rung.init, bytes, independent: i === 0 })));
}

/** The run's fMP4 as one stream (init, then its fragments), as ffprobe would read a file of it. */
export function runBytes(rung: EncodedRung): Buffer {
  return Buffer.concat([rung.init, ...rung.segments.flat()]);
}

/** A sink that keeps what it is written, and the media times it is told keyframes are at. */
export class CollectingSink implements FlvSink {
  readonly chunks: Buffer[] = [];
  readonly keyframeTimesS: number[] = [];
  write(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
  }
  keyframe(mediaS: number): void {
    this.keyframeTimesS.push(mediaS);
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  /** Everything written, read back by the splitter a restream push uses. */
  tags(): FlvTag[] {
    return new FlvTagSplitter().push(this.bytes);
  }
}

export interface ProbedPacket {
  stream: 'video' | 'audio';
  dtsMs: number;
  ptsMs: number;
  durationMs: number;
  key: boolean;
}

export interface Probed {
  streams: { codec: string; profile: string; width?: number; height?: number }[];
  packets: ProbedPacket[];
}

/** ffprobe's streams and packets of `file`, times in ms. */
export async function probe(file: string): Promise<Probed> {
  const { stdout } = await run('/usr/bin/ffprobe', [
    ...['-v', 'error', '-of', 'json', '-show_entries'],
    'stream=index,codec_type,codec_name,profile,width,height:packet=stream_index,dts_time,pts_time,duration_time,flags',
    file,
  ]);
  const json = JSON.parse(stdout) as {
    streams: { index: number; codec_type: string; codec_name: string; profile: string; width?: number; height?: number }[];
    packets: { stream_index: number; dts_time: string; pts_time: string; duration_time?: string; flags: string }[];
  };
  const types = new Map(json.streams.map((stream) => [stream.index, stream.codec_type]));
  return {
    streams: json.streams.map(({ codec_name, profile, width, height }) => ({ codec: codec_name, profile, width, height })),
    packets: json.packets.map((packet) => ({
      stream: types.get(packet.stream_index) === 'video' ? 'video' : 'audio',
      dtsMs: Number(packet.dts_time) * 1000,
      ptsMs: Number(packet.pts_time) * 1000,
      durationMs: Number(packet.duration_time ?? 0) * 1000,
      key: packet.flags.startsWith('K'),
    })),
  };
}

/** What FFmpeg says decoding all of `file` (nothing for a clean decode). */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run('/usr/bin/ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
  return stderr;
}
