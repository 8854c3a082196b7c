// Entry point: configuration → app → listeners, and a graceful shutdown on SIGINT/SIGTERM.
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createApp, rtmpServerUrl, type App, type StartedApp } from './app.js';

/** How long a stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 15_000;

function banner(config: Config, started: StartedApp): string {
  const rtmpServer = rtmpServerUrl(config, started.rtmpPort);
  const rtmpsServer =
    started.rtmpsPort === undefined ? [] : [`    or RTMPS:    ${rtmpServerUrl(config, started.rtmpsPort, 'rtmps')}`];
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
    ...rtmpsServer,
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
  let app: App | undefined;
  let starting: Promise<StartedApp> | undefined;
  let stopping = false;

  const stopAndExit = (code: number): void => {
    stopping = true;
    const stopped = (starting ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => app?.stop());
    // A module that threw mid-update may never finish stopping: the exit does not wait for it forever.
    const deadline = setTimeout(() => process.exit(code || 1), STOP_DEADLINE_MS);
    deadline.unref();
    stopped.then(
      () => process.exit(code),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };

  // Policy: hostile input is refused where it is parsed, so what reaches here is a bug. A rejected promise leaves no
  // half-done synchronous state behind: it is logged and the process goes on. A thrown exception may have left a
  // module half-updated: the process stops (shows are suspended, not ended) and a restart resumes them.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug): logged, the process goes on');
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception (a bug): stopping; live shows resume when shopcast starts again');
    if (!stopping) stopAndExit(1);
  });

  try {
    app = await createApp({ config, log });
  } catch (err) {
    failedToStart(log, err);
  }
  starting = app.start();

  // Handlers come before the start finishes: a signal during it (the origin already answers) stops cleanly after it.
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down');
    stopAndExit(0);
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
