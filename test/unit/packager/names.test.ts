import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextShowId, showStateFileName, slugOfStateFile } from '../../../src/packager/names.js';

test('show ids are base 36 of the start time and grow even when the clock steps back', () => {
  const first = nextShowId(Date.UTC(2026, 10, 23), undefined);
  assert.equal(first, Date.UTC(2026, 10, 23).toString(36));
  assert.match(first, /^[a-z0-9]+$/);
  const second = nextShowId(Date.UTC(2026, 10, 22), first);
  assert.equal(Number.parseInt(second, 36), Date.UTC(2026, 10, 23) + 1);
});

test('state file names round-trip to their channel, and nothing else reads as one', () => {
  assert.equal(slugOfStateFile(showStateFileName('spring-drop')), 'spring-drop');
  for (const other of ['demo.json.tmp', '.json', '..json', 'Demo.json', 'demo.txt', 'a/b.json']) {
    assert.equal(slugOfStateFile(other), undefined, other);
  }
});
