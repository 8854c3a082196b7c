import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Logger } from '../../../src/log.js';
import { ThrottledConnectionLog } from '../../../src/ingest/connection-log.js';

function capture(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { log: pino<never>({ level: 'debug' }, stream), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('a flood of one refusal from one address becomes a few lines and a count; other refusals and addresses are still logged', () => {
  const { log, lines } = capture();
  const throttled = new ThrottledConnectionLog({ log, linesPerWindow: 3, windowMs: 60_000 });
  for (let i = 0; i < 100; i++) throttled.warn({ ip: '10.0.0.1', reason: 'server full' }, 'rtmp connection refused');
  throttled.warn({ ip: '10.0.0.1', reason: 'unknown stream key' }, 'publish refused');
  throttled.warn({ ip: '10.0.0.2', reason: 'unknown stream key' }, 'publish refused');
  throttled.stop();
  const all = lines();
  assert.equal(all.filter((l) => l.ip === '10.0.0.1' && l.msg === 'rtmp connection refused').length, 3);
  assert.ok(all.some((l) => l.ip === '10.0.0.1' && l.suppressed === 97), 'the rest is counted in one line');
  assert.ok(all.some((l) => l.ip === '10.0.0.1' && l.reason === 'unknown stream key'), 'another refusal from the flooding address');
  assert.ok(all.some((l) => l.ip === '10.0.0.2' && l.reason === 'unknown stream key'));
});

test('the same refusal from many addresses is capped in all, and counted', () => {
  const { log, lines } = capture();
  const throttled = new ThrottledConnectionLog({ log, linesPerWindow: 3, linesPerWindowInAll: 20, windowMs: 60_000 });
  for (let i = 0; i < 500; i++) throttled.warn({ ip: `10.1.${i >> 8}.${i & 0xff}`, reason: 'server full' }, 'rtmp connection refused');
  throttled.stop();
  const all = lines();
  assert.equal(all.filter((l) => l.msg === 'rtmp connection refused').length, 20);
  assert.ok(all.some((l) => l.from === 'many addresses' && l.suppressed === 480 && l.of === 'rtmp connection refused'));
});
