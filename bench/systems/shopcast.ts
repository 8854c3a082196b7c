// shopcast as a system under test: started the way the end-to-end tests start it (free ports, temporary data
// folder, known demo key), with the bench's FFmpeg and quiet logs.
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { startShopcast } from '../../test/e2e/helpers/shopcast.js';
import { childrenOf, identify, killIfAlive, onCleanup, stopChild, type ProcessIdentity } from '../processes.js';
import type { StartSystemOptions, SystemUnderTest, TranscoderProbe } from './system.js';

/** The part of GET /api/streams the bench reads. */
const streamsSchema = z.object({
  streams: z.array(
    z.object({
      transcoder: z.object({ pid: z.number().nullable(), outTimeS: z.number().nullable() }).nullable(),
    }),
  ),
});

/** `shopcast-encoded` is the same shopcast: the bench feeds it keyframes that make it encode every rung. */
export async function startShopcastSystem(
  { ffmpegPath }: StartSystemOptions,
  name: 'shopcast' | 'shopcast-encoded' = 'shopcast',
): Promise<SystemUnderTest> {
  const shopcast = await startShopcast({
    name: 'bench-shopcast',
    env: { SHOPCAST_LOG_LEVEL: 'warn', FFMPEG_PATH: ffmpegPath },
  });
  const transcoders = new Map<number, ProcessIdentity>();
  const stop = onCleanup('shopcast', async () => {
    await stopChild(shopcast.process, { signal: 'SIGTERM', timeoutMs: 10_000 });
    // Its graceful shutdown stops FFmpeg; one left behind by a forced kill is stopped here.
    for (const transcoder of transcoders.values()) killIfAlive(transcoder);
    await rm(shopcast.dataDir, { recursive: true, force: true });
  });
  return {
    name,
    publishUrl: `${shopcast.rtmpUrl}/${shopcast.streamKey}`,
    masterUrl: `${shopcast.httpUrl}/live/demo/master.m3u8`,
    httpUrl: shopcast.httpUrl,
    lowLatency: true,
    dashUrl: `${shopcast.httpUrl}/live/demo/manifest.mpd`,
    transcodes: true,
    gatewayPids: () => {
      const primary = shopcast.process.pid;
      if (primary === undefined) return [];
      const workers = childrenOf(primary).filter((child) => child.comm === 'node' && child.state !== 'Z');
      return [primary, ...workers.map((child) => child.pid)];
    },
    transcoder: async (): Promise<TranscoderProbe | null> => {
      const body = streamsSchema.parse(await shopcast.adminJson('/api/streams'));
      const transcoder = body.streams[0]?.transcoder;
      if (!transcoder || transcoder.pid === null) return null;
      if (!transcoders.has(transcoder.pid)) {
        const identity = identify(transcoder.pid);
        if (identity) transcoders.set(transcoder.pid, identity);
      }
      return { pid: transcoder.pid, outTimeS: transcoder.outTimeS };
    },
    describe: async () => ({
      logFile: shopcast.logFile,
      health: await shopcast.adminJson('/api/health'),
      streams: await shopcast.adminJson('/api/streams'),
    }),
    stop,
  };
}
