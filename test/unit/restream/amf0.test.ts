import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAmf0, encodeAmf0 } from '../../../src/restream/amf0.js';
import { amf0, command } from '../../e2e/helpers/rtmp-bytes.js';
import { createRng } from '../../reliability/helpers/fuzz.js';

test('the connect command encodes byte for byte as an independent AMF0 writer does, and decodes back', () => {
  const object = { app: 'live/app', type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; shopcast)', tcUrl: 'rtmps://h:443/live/app' };
  const encoded = encodeAmf0('connect', 1, object);
  assert.ok(encoded.equals(command('connect', 1, object)));
  assert.deepEqual(decodeAmf0(encoded).map((v) => (typeof v === 'object' && v !== null ? { ...v } : v)), ['connect', 1, object]);
});

test('publish, createStream and a status answer round-trip, with null, undefined, booleans and non-ASCII text', () => {
  const values = ['publish', 5, null, 'clé-✓', 'live', undefined, true, false, -1.5];
  assert.deepEqual(decodeAmf0(encodeAmf0(...values)), values);
  const status = command('onStatus', 0, null, { level: 'error', code: 'NetStream.Publish.BadName', description: 'Already publishing' });
  const [, , , info] = decodeAmf0(status);
  assert.deepEqual({ ...(info as object) }, { level: 'error', code: 'NetStream.Publish.BadName', description: 'Already publishing' });
});

test('ECMA arrays and strict arrays decode; a long string is written as one', () => {
  const ecma = Buffer.concat([Buffer.from([0x08, 0, 0, 0, 1]), Buffer.from([0, 1]), Buffer.from('a'), amf0(2), Buffer.from([0, 0, 9])]);
  assert.deepEqual({ ...(decodeAmf0(ecma)[0] as object) }, { a: 2 });
  assert.deepEqual(decodeAmf0(encodeAmf0([1, 'x'])), [[1, 'x']]);
  const long = 'k'.repeat(70_000);
  const encoded = encodeAmf0(long);
  assert.equal(encoded[0], 0x0c);
  assert.deepEqual(decodeAmf0(encoded), [long]);
});

test('truncated, unknown or hostile input stops decoding quietly and never touches Object.prototype', () => {
  const status = command('_error', 1, null, { code: 'NetConnection.Connect.Rejected' });
  assert.deepEqual(decodeAmf0(status.subarray(0, status.length - 5)).slice(0, 3), ['_error', 1, null]);
  assert.deepEqual(decodeAmf0(Buffer.concat([amf0('x'), Buffer.from([0x11, 0x04])])), ['x'], 'AMF3 values are not read');
  assert.deepEqual(decodeAmf0(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff])), [], 'a strict array count beyond the bytes is not allocated');
  const deep = Buffer.concat([...Array.from({ length: 10_000 }, () => Buffer.from([0x03, 0, 1, 0x61])), Buffer.from([0x05])]);
  assert.deepEqual(decodeAmf0(deep), [], 'nesting is bounded');
  const proto = Buffer.concat([Buffer.from([0x03, 0, 9]), Buffer.from('__proto__'), amf0({ polluted: true }), Buffer.from([0, 0, 9])]);
  decodeAmf0(proto);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const rng = createRng(42);
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.from(Array.from({ length: rng.int(64) }, () => (rng.chance(0.3) ? rng.pick([0, 2, 3, 5, 8, 9, 10, 12]) : rng.int(256))));
    assert.ok(Array.isArray(decodeAmf0(bytes)));
  }
});
