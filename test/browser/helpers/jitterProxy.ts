// A TCP proxy that delays what the server sends by a random 0..maxDelay per chunk, in order: network jitter for a
// browser on loopback (this kernel has no netem). Seeded, so a failing run can be replayed with the same delays.
import net from 'node:net';

export interface JitterProxy {
  /** http://127.0.0.1:<port>, forwarding to the target. */
  url: string;
  /** Delays applied so far, ms. */
  delaysMs(): readonly number[];
  close(): Promise<void>;
}

export interface JitterOptions {
  targetPort: number;
  maxDelayMs: number;
  seed: number;
}

/** mulberry32: a small seeded generator, enough for delays. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startJitterProxy({ targetPort, maxDelayMs, seed }: JitterOptions): Promise<JitterProxy> {
  const random = seeded(seed);
  const delays: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    // Each chunk leaves at a random moment after it came, never before the one ahead of it: TCP keeps order, so
    // jitter on a connection is a delay that varies, not reordering. One timer at a time drains the queue in order.
    const queue: { chunk: Buffer; atMs: number }[] = [];
    let releaseAtMs = 0;
    let timer: NodeJS.Timeout | undefined;
    const drain = (): void => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.atMs <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!client.destroyed) client.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, queue[0]!.atMs - Date.now());
    };
    upstream.on('data', (chunk: Buffer) => {
      const delay = random() * maxDelayMs;
      delays.push(delay);
      releaseAtMs = Math.max(releaseAtMs, Date.now() + delay);
      queue.push({ chunk, atMs: releaseAtMs });
      timer ??= setTimeout(drain, releaseAtMs - Date.now());
    });
    client.pipe(upstream);
    const close = (): void => {
      setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, Math.max(0, releaseAtMs - Date.now()));
    };
    upstream.on('end', close).on('error', close).on('close', () => sockets.delete(upstream));
    client.on('error', () => upstream.destroy()).on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    delaysMs: () => delays,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
