// Types for the parts of node-media-server 4.4 that ingest uses (the published @types package is for v2).
declare module 'node-media-server/src/core/logger.js' {
  const logger: { level: string; log(message: string, level?: string): void };
  export = logger;
}

declare module 'node-media-server/src/core/avpacket.js' {
  /** One media or data message as the RTMP parser hands it out. */
  class AVPacket {
    codec_id: number;
    /** FLV tag type: 8 audio, 9 video, 18 script data. */
    codec_type: number;
    /** 0 audio header, 1 audio, 2 video header, 3 keyframe, 4 video, 5 script data. */
    flags: number;
    pts: number;
    dts: number;
    size: number;
    /** The parser's buffer for this chunk stream: reused by the next message, so copy what you keep. */
    data: Buffer;
  }
  export = AVPacket;
}

declare module 'node-media-server/src/protocol/flv.js' {
  import type AVPacket from 'node-media-server/src/core/avpacket.js';

  const Flv: {
    /** A whole FLV tag (11-byte header, payload, previous-tag-size) copied from the packet. */
    createMessage(packet: AVPacket): Buffer;
  };
  export = Flv;
}

declare module 'node-media-server/src/protocol/amf.js' {
  /** AMF0 command/data as the library decodes it: fields named by its rule tables, values untyped. */
  export type Amf0Message = { cmd?: unknown; transId?: unknown; cmdObj?: unknown; streamName?: unknown; dataObj?: unknown; [field: string]: unknown };
  export function decodeAmf0Data(data: Buffer): Amf0Message;
}

declare module 'node-media-server/src/protocol/rtmp.js' {
  import type AVPacket from 'node-media-server/src/core/avpacket.js';
  import type { Amf0Message } from 'node-media-server/src/protocol/amf.js';

  interface RtmpPacket {
    header: { fmt: number; cid: number; timestamp: number; length: number; type: number; stream_id: number };
    clock: number;
    payload: Buffer;
    capacity: number;
    bytes: number;
  }

  /**
   * The library's RTMP protocol state machine (handshake, chunking, AMF commands), without sockets. shopcast
   * subclasses it to bound and validate what it parses; the members below are the ones it relies on, so an
   * upgrade of node-media-server must keep them (the version is pinned).
   */
  class Rtmp {
    handshakeState: number;
    parserPacket: RtmpPacket;
    inPackets: Map<number, RtmpPacket>;
    inChunkSize: number;
    ackSize?: number;
    /** An FLV parser with a 1 MiB buffer, made by the constructor and never used for RTMP input. */
    flv: unknown;
    streamApp?: string;
    streamId?: number;
    onOutputCallback: (buffer: Buffer) => void;
    onPacketCallback: (packet: AVPacket) => void;
    onConnectCallback: (req: unknown) => void;
    onPushCallback: () => void;
    onPlayCallback: () => void;
    /** Returns an error string, or null. */
    parserData(buffer: Buffer): string | null;
    packetParse(): void;
    packetAlloc(): void;
    controlHandler(): void;
    dataHandler(): void;
    onConnect(message: Amf0Message): void;
    onCreateStream(message: Amf0Message): void;
    onPublish(message: Amf0Message): void;
    onPlay(message: Amf0Message): void;
    sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
    sendInvokeMessage(streamId: number, message: Record<string, unknown>): void;
    sendACK(size: number): void;
    setChunkSize(size: number): void;
    /** The chunk size the library writes with (it announces it in its connect answer). */
    outChunkSize: number;
  }
  export = Rtmp;
}

declare module 'node-media-server/src/protocol/sps_info.js' {
  export function parseH264Sps(sps: Buffer): { width: number; height: number } | null;
}
