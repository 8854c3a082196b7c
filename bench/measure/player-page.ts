// Serves the bench's player page: its two files, the product page's player.js, hls.js and dash.js, from one small origin.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../../test/e2e/helpers/shopcast.js';
import { onCleanup } from '../processes.js';

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'player-page');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/bench-player.js': { file: path.join(PAGE_DIR, 'bench-player.js'), type: 'text/javascript' },
  '/player.js': { file: path.join(ROOT, 'public', 'js', 'player.js'), type: 'text/javascript' },
  '/hls.min.js': { file: path.join(ROOT, 'node_modules', 'hls.js', 'dist', 'hls.min.js'), type: 'text/javascript' },
  '/dash.all.min.js': { file: createRequire(import.meta.url).resolve('dashjs'), type: 'text/javascript' },
};

export interface PlayerPage {
  /**
   * Page URL that plays `masterUrl`, by parts (hls.js lowLatencyMode) or by whole segments; `waitForShow`: the page
   * is opened before the playlist exists and plays it once served; `dash`: `masterUrl` is an MPD, played by dash.js.
   */
  urlFor(masterUrl: string, opts: { lowLatency: boolean; waitForShow?: boolean; dash?: boolean }): string;
  close(): Promise<void>;
}

export async function servePlayerPage(): Promise<PlayerPage> {
  const server: Server = createServer((req, res) => {
    const entry = FILES[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    readFile(entry.file).then(
      (body) => res.writeHead(200, { 'Content-Type': entry.type, 'Cache-Control': 'no-store' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = onCleanup('player page server', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    urlFor: (masterUrl, { lowLatency, waitForShow = false, dash = false }) =>
      `http://127.0.0.1:${port}/?src=${encodeURIComponent(masterUrl)}${lowLatency ? '' : '&latency=regular'}${waitForShow ? '&wait=1' : ''}${dash ? '&player=dash' : ''}`,
    close,
  };
}
