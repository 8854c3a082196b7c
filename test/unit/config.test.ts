import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const emptyDir = (): string => mkdtempSync(path.join(tmpdir(), 'shopcast-config-'));

test('defaults work out of the box', () => {
  const cwd = emptyDir();
  const config = loadConfig({}, cwd);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.httpPort, 8080);
  assert.equal(config.rtmpPort, 1935);
  assert.equal(config.dataDir, path.join(cwd, 'data'));
  assert.equal(config.publicUrl, 'http://localhost:8080');
  assert.equal(config.reconnectWindowS, 30);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.demoKey, undefined);
});

test('environment overrides the file, which overrides the defaults', () => {
  const cwd = emptyDir();
  writeFileSync(path.join(cwd, 'shopcast.json'), JSON.stringify({ httpPort: 9000, rtmpPort: 19350 }));
  const config = loadConfig({ SHOPCAST_HTTP_PORT: '9100', FFMPEG_PATH: '/opt/ffmpeg' }, cwd);
  assert.equal(config.httpPort, 9100);
  assert.equal(config.publicUrl, 'http://localhost:9100', 'the public URL follows the HTTP port unless set');
  assert.equal(loadConfig({ SHOPCAST_HTTP_PORT: '9100', SHOPCAST_PUBLIC_URL: 'https://shop.example' }, cwd).publicUrl, 'https://shop.example');
  assert.equal(config.rtmpPort, 19350);
  assert.equal(config.ffmpegPath, '/opt/ffmpeg');
});

test('invalid settings are named with their variable', () => {
  assert.throws(
    () => loadConfig({ SHOPCAST_HTTP_PORT: 'eighty', SHOPCAST_DEMO_KEY: 'short' }, emptyDir()),
    (err: unknown) =>
      err instanceof ConfigError && /SHOPCAST_HTTP_PORT/.test(err.message) && /SHOPCAST_DEMO_KEY/.test(err.message),
  );
});

test('a broken config file is reported with its path', () => {
  const cwd = emptyDir();
  const file = path.join(cwd, 'custom.json');
  writeFileSync(file, '{ not json');
  assert.throws(() => loadConfig({ SHOPCAST_CONFIG: file }, cwd), (err: unknown) => err instanceof ConfigError && err.message.includes(file));
});
