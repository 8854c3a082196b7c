// The operator commands the README and the banner name, run against a live server's data folder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, startShopcast, type Shopcast } from './helpers/shopcast.js';

const run = promisify(execFile);

describe('CLI', () => {
  let sc: Shopcast;
  const cli = (...args: string[]) =>
    run(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], { env: { ...process.env, SHOPCAST_DATA_DIR: sc.dataDir } });

  before(async () => {
    sc = await startShopcast({ name: 'cli' });
  });
  after(async () => {
    await sc?.stop();
  });

  test('key prints the channel\'s stream key', async () => {
    assert.equal((await cli('key', 'demo')).stdout, `${sc.streamKey}\n`);
    await assert.rejects(cli('key', 'nope'), (err: { code: number; stderr: string }) => err.code === 1 && /no channel "nope"/.test(err.stderr));
  });

  test('token issues a working admin token (the way back in after losing the printed one)', async () => {
    const token = (await cli('token')).stdout.trim();
    assert.match(token, /^sc_[A-Za-z0-9_-]{43}$/);
    const me = await fetch(`${sc.httpUrl}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { seller: { role: string } }).seller.role, 'admin');
    await assert.rejects(cli('token', 'nobody'), (err: { code: number }) => err.code === 1);
    await assert.rejects(cli(), (err: { code: number; stderr: string }) => err.code === 2 && /usage/.test(err.stderr));
  });
});
