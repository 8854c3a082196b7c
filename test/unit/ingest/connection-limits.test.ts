import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionLimits } from '../../../src/ingest/connection-limits.js';

test('each address gets its own share; a full server refuses everyone; releasing frees the slot once', () => {
  const limits = new ConnectionLimits({ maxConnections: 3, maxPerAddress: 2 });
  const a1 = limits.admit('10.0.0.1');
  const a2 = limits.admit('10.0.0.1');
  const a3 = limits.admit('10.0.0.1');
  assert.ok(a1.admitted && a2.admitted);
  assert.ok(!a3.admitted && /from this address/.test(a3.reason));
  const b1 = limits.admit('10.0.0.2');
  assert.ok(b1.admitted);
  const c1 = limits.admit('10.0.0.3');
  assert.ok(!c1.admitted && /server full/.test(c1.reason));
  assert.equal(limits.open, 3);
  if (a1.admitted) {
    a1.release();
    a1.release();
  }
  assert.equal(limits.open, 2, 'a second release changes nothing');
  assert.ok(limits.admit('10.0.0.3').admitted);
  assert.ok(limits.admit('10.0.0.1').admitted === false, 'the server is full again');
});
