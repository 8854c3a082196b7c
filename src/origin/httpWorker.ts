// Entry of an HTTP worker process: it accepts connections on the primary's listening socket, answers public media
// (/live) from a mirror of the packager's playlists and the segment files on disk, and forwards everything else to
// the primary. Playlist requests are the load CDNs and players put on an origin; one Node process tops out at about
// 11k a second on this class of machine, so they are spread over the cores.
import type { Server as NetServer, Socket } from 'node:net';
import { createLogger } from '../log.js';
import { createOriginServer } from './listener.js';
import { createMediaHandler } from './mediaHandler.js';
import { MediaMirror } from './mediaMirror.js';
import { createForward } from './proxy.js';
import type { FromWorker, ToWorker } from './workerProtocol.js';

const send = (message: FromWorker): void => {
  process.send?.(message);
};

let mirror: MediaMirror | undefined;
let server: ReturnType<typeof createOriginServer> | undefined;
let listening: NetServer | undefined;

process.on('message', (message: ToWorker, handle?: unknown) => {
  switch (message.type) {
    case 'listen': {
      const { settings } = message;
      const log = createLogger(settings.logLevel).child({ module: 'http-worker', pid: process.pid });
      const media = new MediaMirror({ mediaDir: settings.mediaDir, graceS: settings.graceS });
      const forward = createForward(settings.upstreamPort);
      const serveMedia = createMediaHandler({ media, log, cacheBytes: settings.segmentCacheBytes, forwardToPrimary: forward });
      mirror = media;
      server = createOriginServer((req, res) => {
        if (!serveMedia(req, res)) forward(req, res);
      }, log);
      listening = handle as NetServer;
      const http = server;
      listening.on('connection', (socket: Socket) => http.emit('connection', socket));
      // node:http starts checking its header and request deadlines on 'listening', which a server fed connections
      // from another one never emits by itself.
      http.emit('listening');
      log.debug('HTTP worker accepting');
      send({ type: 'ready' });
      return;
    }
    case 'playlists':
      mirror?.update(message.update);
      return;
    case 'stop': {
      listening?.close();
      server?.close(() => process.exit(0));
      server?.closeIdleConnections();
      // Event streams never finish on their own: after the drain, whatever is still open is cut.
      setTimeout(() => process.exit(0), message.drainMs);
      return;
    }
  }
});

// The primary decides when workers stop (it drains them on shutdown); a terminal's Ctrl-C reaches the whole process
// group, so the signal itself is left to the primary. A primary that died takes its workers with it.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));
