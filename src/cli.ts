// Small operator commands that read the same configuration and database as the server.
import { loadConfig, ConfigError } from './config.js';
import { openDatabase } from './store/db.js';
import { SqliteChannelRepository } from './store/channels.js';

const USAGE = 'usage: npm run key -- <channel-slug>    print the channel\'s stream key (keep it secret)';

function main(argv: string[]): number {
  const [command, slug] = argv;
  if (command !== 'key' || !slug) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const db = openDatabase(config.dataDir);
  try {
    const channel = new SqliteChannelRepository(db).bySlug(slug);
    if (!channel) {
      process.stderr.write(`no channel "${slug}" in ${config.dataDir}\n`);
      return 1;
    }
    process.stdout.write(`${channel.streamKey}\n`);
    return 0;
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
