import { readFile, mkdtemp, chmod } from 'node:fs/promises';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { parseProfile } from '../../src/transcode/profile.js';
import { runSystemOnce } from '../system-run.js';
import { cleanupAll } from '../processes.js';
import { servePlayerPage } from '../measure/player-page.js';
const system = process.argv[2] as 'shopcast' | 'nginx-a' | 'nginx-c';
const withPlayer = process.argv[3] === 'player';
const file = 'profiles/default.json';
const profile = parseProfile({ name: 'default', file, json: JSON.parse(await readFile(file, 'utf8')) });
const dir = await mkdtemp(path.join(tmpdir(), 'bench-one-')); await chmod(dir, 0o755);
const page = withPlayer ? await servePlayerPage() : null;
try {
  const { run, info } = await runSystemOnce({ system, round: 0, settings: { mode: 'quick', rounds: 1, windowS: 20, wrkDurationS: 3, playerS: withPlayer ? 15 : null, qualitySegments: 3, pollMs: 50 }, dir: path.join(dir, system), ffmpegPath: '/usr/bin/ffmpeg', profile, playerPage: page, wrk: true, progress: (m) => console.error(system, m) });
  const slim = { ...run, resources: run.resources && { ...run.resources, samples: run.resources.samples.length }, player: run.player && { ...run.player, samples: run.player.samples.slice(0, 3) } };
  console.log(JSON.stringify(slim, null, 1));
  console.log(JSON.stringify(info).slice(0, 600));
  console.log('dir', dir);
} finally { await cleanupAll(); }
