// HTTP/1.1 over a bare socket: hostile clients send bytes fetch would normalise or refuse (raw `..`, CR/LF, NUL,
// dribbled headers), and may come from any loopback address (127.0.0.0/8) to stand for many clients.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** The header block as received, status line included. */
  head: string;
  headers: Map<string, string[]>;
  body: Buffer;
}

export interface RawOptions {
  localAddress?: string;
  timeoutMs?: number;
}

/** Parses whatever the server sent before closing (one answer: requests here say Connection: close). */
export function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = (split < 0 ? raw : raw.subarray(0, split)).toString('latin1');
  let body = split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4);
  const headers = new Map<string, string[]>();
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  if (headers.get('transfer-encoding')?.includes('chunked')) body = dechunk(body);
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, headers, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Sends `request` exactly as given and collects the answer until the server closes. */
export function rawRequest(port: number, request: string | Buffer, { localAddress, timeoutMs = 10_000 }: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      // Not end(): a half-closed socket may be dropped before an asynchronous answer is written.
      socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
    });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms to ${JSON.stringify(String(request).slice(0, 120))}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks)));
    });
  });
}

/** A GET of `rawPath` with extra raw header lines. */
export function rawGet(port: number, rawPath: string, { headers = [], ...opts }: RawOptions & { headers?: string[] } = {}): Promise<RawResponse> {
  const lines = [`GET ${rawPath} HTTP/1.1`, 'Host: localhost', ...headers, 'Connection: close', '', ''];
  return rawRequest(port, lines.join('\r\n'), opts);
}

/** An open socket that sent `prefix` and keeps dribbling: resolves `closed` with ms until the server cut it. */
export interface SlowClient {
  socket: Socket;
  received: () => Buffer;
  closed: Promise<number>;
}

export function slowClient(port: number, prefix: string, dribble: () => string | undefined, { localAddress, everyMs = 1000 }: { localAddress?: string; everyMs?: number } = {}): SlowClient {
  const startedAt = Date.now();
  const chunks: Buffer[] = [];
  const socket = connect({ host: '127.0.0.1', port, localAddress }, () => socket.write(prefix, 'latin1'));
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  const timer = setInterval(() => {
    const next = dribble();
    if (next !== undefined && socket.writable) socket.write(next, 'latin1');
  }, everyMs);
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - startedAt);
    }),
  );
  return { socket, received: () => Buffer.concat(chunks), closed };
}
