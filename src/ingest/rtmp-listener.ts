// shopcast's RTMP and RTMPS listeners: it creates the servers and the connections itself, admits connections by the
// limits before a byte is parsed, and keeps both listening. node-media-server only parses the protocol.
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { clientAddress } from '../client-address.js';
import { ConnectionCaps } from '../connection-caps.js';
import type { Logger } from '../log.js';
import { ThrottledConnectionLog } from './connection-log.js';
import { KeptListening } from './kept-listening.js';
import { RtmpConnection, type PublishGate, type RtmpTransport } from './rtmp-connection.js';

export interface RtmpListenerOptions {
  host: string;
  port: number;
  /** RTMPS beside RTMP: a port and the PEM certificate chain and key. */
  tls?: { port: number; cert: Buffer; key: Buffer };
  gate: PublishGate;
  log: Logger;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** TCP accept (and TLS handshake) to an accepted publish. */
  publishDeadlineMs: number;
  /** A publisher silent this long is cut. */
  idleTimeoutMs: number;
}

export interface RtmpListenerStatus {
  connections: number;
  /** Times a listener had to be bound again after it failed. */
  listenerRestarts: number;
}

let connectionCounter = 0;

export class RtmpListener {
  readonly #opts: RtmpListenerOptions;
  readonly #caps: ConnectionCaps;
  readonly #log: ThrottledConnectionLog;
  readonly #connections = new Set<RtmpConnection>();
  readonly #rtmp: KeptListening;
  readonly #rtmps: KeptListening | undefined;

  constructor(opts: RtmpListenerOptions) {
    this.#opts = opts;
    this.#caps = new ConnectionCaps({ perClient: opts.maxConnectionsPerAddress, total: opts.maxConnections });
    this.#log = new ThrottledConnectionLog({ log: opts.log });
    this.#rtmp = new KeptListening({
      name: 'RTMP',
      host: opts.host,
      port: opts.port,
      portSetting: 'SHOPCAST_RTMP_PORT',
      log: opts.log,
      create: () => {
        const server = createTcpServer({ noDelay: true });
        server.on('connection', (socket) => {
          if (this.#admit(socket)) this.#serve(socket, 'rtmp');
        });
        return server;
      },
    });
    const tls = opts.tls;
    this.#rtmps =
      tls === undefined
        ? undefined
        : new KeptListening({
            name: 'RTMPS',
            host: opts.host,
            port: tls.port,
            portSetting: 'SHOPCAST_RTMPS_PORT',
            log: opts.log,
            create: () => {
              const server = createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: opts.publishDeadlineMs });
              // Admitted on the raw TCP socket, so a TLS handshake that never ends still holds only its own slot.
              server.on('connection', (socket: Socket) => void this.#admit(socket));
              server.on('secureConnection', (socket: TLSSocket) => this.#serve(socket, 'rtmps'));
              server.on('tlsClientError', (err, socket) => {
                this.#log.warn({ ip: clientAddress(socket.remoteAddress ?? 'unknown'), reason: `TLS: ${err.message}` }, 'rtmps handshake failed');
                socket.destroy();
              });
              return server;
            },
          });
  }

  get port(): number {
    return this.#rtmp.port;
  }

  get tlsPort(): number | undefined {
    return this.#rtmps?.port;
  }

  status(): RtmpListenerStatus {
    return { connections: this.#caps.open, listenerRestarts: this.#rtmp.restarts + (this.#rtmps?.restarts ?? 0) };
  }

  async start(): Promise<void> {
    await this.#rtmp.start();
    try {
      await this.#rtmps?.start();
    } catch (err) {
      this.#rtmp.stop();
      throw err;
    }
  }

  /** Stops accepting and ends every connection. */
  stop(): void {
    this.#rtmp.stop();
    this.#rtmps?.stop();
    for (const connection of [...this.#connections]) connection.cut('ingest shutting down');
    this.#log.stop();
  }

  /** Counts the socket against the limits, or destroys it at once with one (throttled) log line. */
  #admit(socket: Socket): boolean {
    const ip = clientAddress(socket.remoteAddress ?? 'unknown');
    const slot = this.#caps.take(ip);
    if (!slot.ok) {
      socket.destroy();
      const reason =
        slot.refusal === 'client'
          ? `${this.#caps.perClient} RTMP connections already open from this address`
          : `server full: ${this.#caps.total} RTMP connections open`;
      this.#log.warn({ ip, reason }, 'rtmp connection refused');
      return false;
    }
    socket.once('close', slot.release);
    return true;
  }

  #serve(socket: Socket, transport: RtmpTransport): void {
    // A TLS socket whose raw socket was refused is already destroyed.
    if (socket.destroyed) return;
    connectionCounter = (connectionCounter + 1) % Number.MAX_SAFE_INTEGER;
    const connection = new RtmpConnection({
      socket,
      id: `c${connectionCounter.toString(36)}`,
      address: clientAddress(socket.remoteAddress ?? 'unknown'),
      transport,
      gate: this.#opts.gate,
      log: this.#log,
      publishDeadlineMs: this.#opts.publishDeadlineMs,
      idleTimeoutMs: this.#opts.idleTimeoutMs,
      onClosed: () => this.#connections.delete(connection),
    });
    this.#connections.add(connection);
  }
}
