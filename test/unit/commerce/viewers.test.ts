import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { ViewerCounter, type ViewerReport } from '../../../src/commerce/viewers.js';

let reports: [string, ViewerReport][];
let counter: ViewerCounter;

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  reports = [];
  counter = new ViewerCounter({ onReport: (slug, report) => reports.push([slug, report]) });
});

afterEach(() => {
  counter.stop();
  mock.timers.reset();
});

test('the first change is reported at once, the following ones at most once a second', () => {
  const leave = [counter.open('shop', 'a')];
  assert.deepEqual(reports, [['shop', { viewers: 1, peak: 1 }]]);
  leave.push(counter.open('shop', 'b'), counter.open('shop', 'c'));
  assert.equal(counter.count('shop'), 3, 'counted at once');
  assert.equal(reports.length, 1, 'reported later');
  mock.timers.tick(999);
  assert.equal(reports.length, 1);
  mock.timers.tick(1);
  assert.deepEqual(reports.at(-1), ['shop', { viewers: 3, peak: 3 }]);
  for (const close of leave) close();
  mock.timers.tick(1_000);
  assert.deepEqual(reports.at(-1), ['shop', { viewers: 0, peak: 3 }], 'three watched until they left');
  assert.equal(reports.length, 3);
});

test('a spike between two reports still reaches the peak', () => {
  counter.open('shop', 'a');
  const b = counter.open('shop', 'b');
  const c = counter.open('shop', 'c');
  b();
  c();
  mock.timers.tick(1_000);
  assert.deepEqual(reports, [['shop', { viewers: 1, peak: 1 }], ['shop', { viewers: 1, peak: 3 }]]);
});

test('closing twice counts once; channels are counted apart', () => {
  const close = counter.open('shop', 'a');
  counter.open('other', 'a');
  close();
  close();
  assert.equal(counter.count('shop'), 0);
  assert.equal(counter.count('other'), 1);
});

test('flush reports a pending change at once (a show ending must not lose its peak)', () => {
  counter.open('shop', 'a');
  counter.open('shop', 'b');
  counter.flush('shop');
  assert.deepEqual(reports.at(-1), ['shop', { viewers: 2, peak: 2 }]);
  mock.timers.tick(1_000);
  assert.equal(reports.length, 2, 'nothing left pending');
});

test('many streams of one client are one viewer: they cannot raise the count or the peak', () => {
  const closes = Array.from({ length: 50 }, () => counter.open('shop', '192.0.2.1'));
  assert.equal(counter.count('shop'), 1);
  const other = counter.open('shop', '2001:db8:1:2::/64');
  assert.equal(counter.count('shop'), 2);
  mock.timers.tick(1_000);
  assert.deepEqual(reports.at(-1), ['shop', { viewers: 2, peak: 2 }]);
  for (const close of closes.slice(1)) close();
  assert.equal(counter.count('shop'), 2, 'the client is still watching in its last tab');
  closes[0]!();
  other();
  assert.equal(counter.count('shop'), 0);
  mock.timers.tick(1_000);
  assert.deepEqual(reports.at(-1), ['shop', { viewers: 0, peak: 2 }]);
});
