// An in-process RTMP(S) receiver speaking just enough of the protocol to accept a publish, refuse it, stall or talk
// nonsense, and recording what the client sent. Its answers are written with the tests' independent byte helpers.
import net from 'node:net';
import tls from 'node:tls';
import { decodeAmf0, type Amf0Value } from '../../../src/restream/amf0.js';
import { ChunkReader, MESSAGE, type RtmpMessage } from '../../../src/restream/rtmp-chunks.js';
import { chunks, command, type Amf0Value as WireValue } from '../../e2e/helpers/rtmp-bytes.js';

export interface ServerSession {
  socket: net.Socket;
  /** Every message the client sent after the handshake (Set Chunk Size is applied, not recorded). */
  messages: RtmpMessage[];
  /** The client's bytes after C2, as they came. */
  raw: Buffer[];
  send(bytes: Buffer): void;
}

/** Default answers: connect accepted, stream 1 created, publish started. A script overrides any of them. */
export interface ServerScript {
  /** Return true when the script answered (or chose silence) itself. */
  onCommand?(session: ServerSession, name: string, values: Amf0Value[]): boolean;
  /** Reply to C0/C1 (default true). */
  handshake?: boolean;
}

export interface FakeRtmpServer {
  port: number;
  sessions: ServerSession[];
  close(): Promise<void>;
}

export function answer(name: string, transaction: number, streamId: number, ...args: WireValue[]): Buffer {
  return chunks({ cid: 3, type: MESSAGE.command, payload: command(name, transaction, ...args), streamId, chunkSize: 4096 });
}

export function status(level: string, code: string, description: string, streamId = 1): Buffer {
  return answer('onStatus', 0, streamId, null, { level, code, description });
}

export const SERVER_CHUNK_SIZE = (() => {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(4096);
  return chunks({ cid: 2, type: MESSAGE.setChunkSize, payload });
})();

function serve(socket: net.Socket, script: ServerScript, sessions: ServerSession[]): void {
  const session: ServerSession = {
    socket,
    messages: [],
    raw: [],
    send: (bytes) => {
      if (socket.writable) socket.write(bytes);
    },
  };
  sessions.push(session);
  socket.on('error', () => undefined);
  const reader = new ChunkReader({ maxMessageBytes: 16 * 1024 * 1024, maxChunkStreams: 64 });
  let pending = Buffer.alloc(0);
  let stage: 'c0c1' | 'c2' | 'chunks' = 'c0c1';
  socket.on('data', (bytes: Buffer) => {
    pending = Buffer.concat([pending, bytes]);
    if (stage === 'c0c1' && pending.length >= 1537) {
      if (script.handshake === false) return;
      session.send(Buffer.concat([Buffer.from([3]), Buffer.alloc(1536, 1), pending.subarray(1, 1537)]));
      pending = pending.subarray(1537);
      stage = 'c2';
    }
    if (stage === 'c2' && pending.length >= 1536) {
      pending = pending.subarray(1536);
      stage = 'chunks';
      session.send(SERVER_CHUNK_SIZE);
    }
    if (stage !== 'chunks' || pending.length === 0) return;
    session.raw.push(pending);
    const messages = reader.push(pending);
    pending = Buffer.alloc(0);
    for (const message of messages) {
      session.messages.push(message);
      if (message.type !== MESSAGE.command) continue;
      const values = decodeAmf0(message.payload);
      const [name, transaction] = values;
      if (typeof name !== 'string' || script.onCommand?.(session, name, values)) continue;
      const id = typeof transaction === 'number' ? transaction : 0;
      if (name === 'connect') session.send(answer('_result', id, 0, { fmsVer: 'FMS/3,0,1,123' }, { level: 'status', code: 'NetConnection.Connect.Success' }));
      if (name === 'createStream') session.send(answer('_result', id, 0, null, 1));
      if (name === 'publish') session.send(status('status', 'NetStream.Publish.Start', 'Start publishing'));
    }
  });
}

export async function startFakeRtmpServer(script: ServerScript = {}, secure?: { key: string; cert: string }): Promise<FakeRtmpServer> {
  const sessions: ServerSession[] = [];
  const server = secure
    ? tls.createServer({ key: secure.key, cert: secure.cert }, (socket) => serve(socket, script, sessions))
    : net.createServer((socket) => serve(socket, script, sessions));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sessions,
    close: async () => {
      for (const session of sessions) session.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The client's commands by name, with their decoded arguments. */
export function commandsOf(session: ServerSession): Amf0Value[][] {
  return session.messages.filter((m) => m.type === MESSAGE.command).map((m) => decodeAmf0(m.payload));
}
