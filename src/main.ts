// Entry point: configuration → app → listeners, and a graceful shutdown on SIGINT/SIGTERM.
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createApp, type App, type StartedApp } from './app.js';

function banner(config: Config, started: StartedApp): string {
  const publicUrl = new URL(config.publicUrl);
  const rtmpServer = `rtmp://${publicUrl.hostname}:${started.rtmpPort}/live`;
  const demo = started.demo;
  // SHOPCAST_DEMO_KEY is the key only of a channel created by this start: a key rotated since is the stored one.
  const key = !demo.created
    ? `print it with: npm run key -- ${demo.channel.slug}`
    : config.demoKey
      ? 'the one set in SHOPCAST_DEMO_KEY'
      : `${demo.channel.streamKey}\n                 (shown this once; print it again with: npm run key -- ${demo.channel.slug})`;
  const base = config.publicUrl.replace(/\/$/, '');
  const token = config.adminToken
    ? 'the one set in SHOPCAST_ADMIN_TOKEN'
    : started.adminToken !== null
      ? `${started.adminToken}\n                 (shown this once; issue a new one with: npm run token)`
      : 'shown on the first start; issue a new one with: npm run token';
  return [
    '',
    'shopcast is running.',
    '  Go live from OBS: Settings → Stream → Service "Custom..."',
    `    Server:      ${rtmpServer}`,
    `    Stream Key:  ${key}`,
    `  Watch:         ${base}/watch/${demo.channel.slug}`,
    `  Studio:        ${base}/studio`,
    `    Admin token: ${token}`,
    `  API:           ${base}/api/openapi.json`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`shopcast: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  let app: App;
  try {
    app = await createApp({ config, log });
  } catch (err) {
    failedToStart(log, err);
  }
  const starting = app.start();

  // Handlers come before the start finishes: a signal during it (the origin already answers) stops cleanly after it.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    starting
      .catch(() => undefined)
      .then(() => app.stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  let started: StartedApp;
  try {
    started = await starting;
  } catch (err) {
    failedToStart(log, err);
  }
  // The banner is for the person at the terminal: stderr keeps stdout pure JSON logs.
  if (!stopping) process.stderr.write(`${banner(config, started)}\n`);
}

function failedToStart(log: Logger, err: unknown): never {
  log.fatal({ err }, 'shopcast could not start');
  process.stderr.write(`shopcast could not start: ${(err as Error).message}\n`);
  process.exit(1);
}

void main();
