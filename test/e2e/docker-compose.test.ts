// The compose file is checked by Debian's docker-compose (no engine runs here): a broken file fails CI, not a user.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from './helpers/shopcast.js';

test('docker-compose.yml is valid and publishes the RTMP and HTTP ports with a data volume', () => {
  const config = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8' });
  assert.match(config, /published: 1935\s+target: 1935/);
  assert.match(config, /published: 8080\s+target: 8080/);
  assert.match(config, /SHOPCAST_DATA_DIR: \/data/);
  assert.match(config, /- shopcast-data:\/data:rw/);
});
