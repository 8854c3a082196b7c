// The event bus for unit tests: a listener that fails is a test failure, reported where the event was emitted.
import { EventBus } from '../../src/events.js';

export function testBus(): EventBus {
  return new EventBus({
    onListenerError: ({ event, err }) => {
      throw new Error(`listener of ${event} failed`, { cause: err });
    },
  });
}
