// Hostile paths under /live must be refused, reach the library only as valid names, and never read a file outside.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SECRET } from './fakes.js';
import { rawGet, serveOrigin, type Served } from './harness.js';

const ATTEMPTS = [
  '/live/../../etc/passwd',
  '/live/demo/../../passwd',
  '/live/demo/360p/../../../passwd',
  '/live/%2e%2e/%2e%2e/passwd',
  '/live/demo/%2e%2e%2f%2e%2e%2fpasswd/r1-7.m4s',
  '/live/demo/360p/..%2f..%2f..%2fpasswd',
  '/live/demo/360p/%2e%2e%2f%2e%2e%2f%2e%2e%2fpasswd',
  '/live/demo/360p/%252e%252e%252fpasswd',
  '/live/demo/360p/..%5c..%5c..%5cpasswd',
  '/live/demo/360p/..\\..\\..\\passwd',
  '/live/demo\\..\\..\\passwd/master.m3u8',
  '/live/demo/360p/r1-7.m4s%00.txt',
  '/live/demo%00/master.m3u8',
  '/live/demo/360p/r1-7.m4s\u0000',
  '/live/demo/360p/%c0%ae%c0%ae%2fpasswd',
  '/live/demo/360p/%E0%A4%A',
  '/live//etc/passwd/r1-7.m4s',
  '/live/demo/360p//etc/passwd',
];

describe('origin path traversal', () => {
  let s: Served;
  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  for (const attempt of ATTEMPTS) {
    it(`refuses ${JSON.stringify(attempt)}`, async () => {
      const { status, response } = await rawGet(s.port, attempt);
      assert.ok(status === 400 || status === 404, `status ${status}`);
      assert.ok(!response.includes(SECRET), 'file outside the media folder was served');
    });
  }

  it('never consulted the library for any of them', () => {
    assert.deepEqual(s.media.calls, []);
  });
});
