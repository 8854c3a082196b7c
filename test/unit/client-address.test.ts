// Client keys: one per client whichever way it connects, IPv6 by its /64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientAddress, clientOf } from '../../src/client-address.js';

test('IPv4 stays as it is; IPv4-mapped IPv6 becomes the IPv4 it carries', () => {
  assert.equal(clientAddress('192.0.2.1'), '192.0.2.1');
  assert.equal(clientAddress('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(clientAddress('::FFFF:c000:201'), '192.0.2.1', 'hex form, any case');
  assert.equal(clientAddress('0:0:0:0:0:ffff:192.0.2.1'), '192.0.2.1');
});

test('IPv6 becomes its /64, whatever the spelling', () => {
  const key = '2001:db8:1:2::/64';
  for (const address of ['2001:db8:1:2::a', '2001:DB8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002::']) {
    assert.equal(clientAddress(address), key, address);
  }
  assert.notEqual(clientAddress('2001:db8:1:3::a'), key, 'the next /64 is another client');
  assert.equal(clientAddress('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientAddress('::1'), '0:0:0:0::/64');
  assert.equal(clientAddress('fe80::1%eth0'), 'fe80:0:0:0::/64', 'the zone names an interface, not a client');
  assert.equal(clientAddress('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64', 'NAT64 is IPv6 like any other');
});

test('what is not an address is kept as it is', () => {
  assert.equal(clientAddress('unknown'), 'unknown');
  assert.equal(clientAddress('not:an:address::x'), 'not:an:address::x');
});

test('a request\'s client is express\'s ip (X-Forwarded-For from a trusted proxy), else the socket address', () => {
  assert.equal(clientOf({ ip: '::ffff:203.0.113.4', socket: { remoteAddress: '127.0.0.1' } }), '203.0.113.4');
  assert.equal(clientOf({ ip: undefined, socket: { remoteAddress: '2001:db8:9:9::5' } }), '2001:db8:9:9::/64');
  assert.equal(clientOf({ socket: {} }), 'unknown');
});
