// Small operator commands that read the same configuration and database as the server.
import { issueApiToken } from './commerce/auth.js';
import { loadConfig, ConfigError } from './config.js';
import { openDatabase, type Db } from './store/db.js';
import { SqliteChannelRepository } from './store/channels.js';
import { SqliteApiTokenRepository, SqliteSellerRepository } from './store/sellers.js';

const USAGE = [
  'usage:',
  '  npm run key -- <channel-slug>   print the channel\'s stream key (keep it secret)',
  '  npm run token [-- <seller>]     issue a new API token for a seller (default: admin), e.g. after losing one',
].join('\n');

type Command = (db: Db, arg: string | undefined) => number;

const COMMANDS: Record<string, Command> = {
  key: (db, slug) => {
    if (!slug) return usage();
    const channel = new SqliteChannelRepository(db).bySlug(slug);
    if (!channel) return fail(`no channel "${slug}"`);
    process.stdout.write(`${channel.streamKey}\n`);
    return 0;
  },
  token: (db, name = 'admin') => {
    const seller = new SqliteSellerRepository(db).byName(name);
    if (!seller) return fail(`no seller "${name}"`);
    const { token } = issueApiToken(new SqliteApiTokenRepository(db), seller.id, 'npm run token');
    process.stdout.write(`${token}\n`);
    return 0;
  },
};

function usage(): number {
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

function main(argv: string[]): number {
  const [name, arg] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) return usage();
  const { dataDir } = loadConfig();
  const db = openDatabase(dataDir);
  try {
    const code = command(db, arg);
    if (code === 1) process.stderr.write(`(database: ${dataDir})\n`);
    return code;
  } finally {
    db.close();
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
