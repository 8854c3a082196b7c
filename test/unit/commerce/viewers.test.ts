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
  const leave = [counter.open('shop')];
  assert.deepEqual(reports, [['shop', { viewers: 1, peak: 1 }]]);
  leave.push(counter.open('shop'), counter.open('shop'));
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
  counter.open('shop');
  const a = counter.open('shop');
  const b = counter.open('shop');
  a();
  b();
  mock.timers.tick(1_000);
  assert.deepEqual(reports, [['shop', { viewers: 1, peak: 1 }], ['shop', { viewers: 1, peak: 3 }]]);
});

test('closing twice counts once; channels are counted apart', () => {
  const close = counter.open('shop');
  counter.open('other');
  close();
  close();
  assert.equal(counter.count('shop'), 0);
  assert.equal(counter.count('other'), 1);
});

test('flush reports a pending change at once (a show ending must not lose its peak)', () => {
  counter.open('shop');
  counter.open('shop');
  counter.flush('shop');
  assert.deepEqual(reports.at(-1), ['shop', { viewers: 2, peak: 2 }]);
  mock.timers.tick(1_000);
  assert.equal(reports.length, 2, 'nothing left pending');
});
