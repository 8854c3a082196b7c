// Types for the parts of node-media-server 4.4 that ingest uses (the published @types package is for v2).
declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'node:events';

  namespace Context {
    interface Subscriber {
      id: string;
      ip: string;
      protocol: 'flv' | 'rtmp';
      sendBuffer(buffer: Buffer): void;
    }
    interface Broadcast {
      streamPath: string;
      /** ms node-media-server keeps a dropped publish open; 0 ends it at once. */
      publishGraceMs: number;
      postPlay(session: Subscriber): string | null;
      donePlay(session: Subscriber): void;
    }
    interface Session {
      id: string;
      /** "address:port" of the client. */
      ip: string;
      streamApp: string;
      streamName: string;
      streamPath: string;
      isPublisher: boolean;
      broadcast: Broadcast;
      videoWidth: number;
      videoHeight: number;
      videoFramerate: number;
      videoDatarate: number;
      close(): void;
    }
    interface Config {
      bind?: string;
      rtmp?: { port: number };
      [key: string]: unknown;
    }
  }
  const Context: {
    config: Context.Config;
    sessions: Map<string, Context.Session>;
    broadcasts: Map<string, Context.Broadcast>;
    eventEmitter: EventEmitter;
  };
  export = Context;
}

declare module 'node-media-server/src/core/logger.js' {
  const logger: { level: string; log(message: string, level?: string): void };
  export = logger;
}

declare module 'node-media-server/src/server/rtmp_server.js' {
  import type { Server } from 'node:net';

  class NodeRtmpServer {
    tcpServer?: Server;
    /** Replaced by ingest: the library's version calls process.exit(1). */
    handleListenError: (name: string, port: number) => (err: NodeJS.ErrnoException) => void;
    run(): void;
    stop(): void;
  }
  export = NodeRtmpServer;
}

declare module 'node-media-server/src/protocol/sps_info.js' {
  export function parseH264Sps(sps: Buffer): { width: number; height: number } | null;
}
