import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRunId } from '../../../src/transcode/transcoder.js';

describe('newRunId', () => {
  it('is short, [a-z0-9]+ and unique even when many runs start in the same millisecond', () => {
    const ids = Array.from({ length: 500 }, () => newRunId());
    for (const id of ids) assert.match(id, /^[a-z0-9]{8,12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});
