import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientAddress } from '../../src/client-address.js';

test('IPv4 and IPv4-mapped IPv6 are the address itself', () => {
  assert.equal(clientAddress('203.0.113.7'), '203.0.113.7');
  assert.equal(clientAddress('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientAddress('::FFFF:127.0.0.1'), '127.0.0.1');
});

test('an IPv6 client is its /64, however the address is written', () => {
  const one = clientAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
  assert.equal(one, '2001:db8:1:2::/64');
  assert.equal(clientAddress('2001:0db8:0001:0002::1'), one, 'leading zeros and :: do not make another client');
  assert.equal(clientAddress('2001:db8:1:2::ffff'), one);
  assert.notEqual(clientAddress('2001:db8:1:3::1'), one, 'the next /64 is another client');
  assert.equal(clientAddress('::1'), '0:0:0:0::/64');
  assert.equal(clientAddress('fe80::1%eth0'), 'fe80:0:0:0::/64');
});

test('anything else is "unknown", never passed through', () => {
  for (const raw of [undefined, '', 'not an address', '1.2.3', '999.1.1.1', '1.2.3.4:5678']) {
    assert.equal(clientAddress(raw), 'unknown');
  }
});
