import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus, type EventName } from '../../src/events.js';

const ended = { slug: 'demo', reason: 'window-expired' } as const;

function recordingBus(): { bus: EventBus; failures: { event: EventName; message: string }[] } {
  const failures: { event: EventName; message: string }[] = [];
  const bus = new EventBus({ onListenerError: ({ event, err }) => failures.push({ event, message: (err as Error).message }) });
  return { bus, failures };
}

test('a listener that throws is reported with the event name, and the listeners after it still run', () => {
  const { bus, failures } = recordingBus();
  const heard: string[] = [];
  bus.on('stream.ended', () => heard.push('first'));
  bus.on('stream.ended', () => {
    throw new Error('database is locked');
  });
  bus.on('stream.ended', () => heard.push('third'));
  bus.emit('stream.ended', ended);
  assert.deepEqual(heard, ['first', 'third']);
  assert.deepEqual(failures, [{ event: 'stream.ended', message: 'database is locked' }]);
});

test('a listener whose promise rejects is reported, not left as an unhandled rejection', async () => {
  const { bus, failures } = recordingBus();
  let after = false;
  bus.on('stream.ended', async () => {
    await Promise.resolve();
    throw new Error('disk full');
  });
  bus.on('stream.ended', () => {
    after = true;
  });
  bus.emit('stream.ended', ended);
  assert.equal(after, true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(failures, [{ event: 'stream.ended', message: 'disk full' }]);
});

test('unsubscribing removes the isolated listener', () => {
  const { bus } = recordingBus();
  let calls = 0;
  const off = bus.on('stream.ended', () => {
    calls += 1;
  });
  bus.emit('stream.ended', ended);
  off();
  bus.emit('stream.ended', ended);
  assert.equal(calls, 1);
});
