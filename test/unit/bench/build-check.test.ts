import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { staleSources } from '../../../bench/build-check.js';

describe('staleSources', () => {
  it('names sources without a compiled file or changed after it', () => {
    assert.deepEqual(
      staleSources([
        { source: 'main.ts', sourceMtimeMs: 100, outputMtimeMs: 200 },
        { source: 'app.ts', sourceMtimeMs: 300, outputMtimeMs: 200 },
        { source: 'new.ts', sourceMtimeMs: 100, outputMtimeMs: null },
        { source: 'same.ts', sourceMtimeMs: 200, outputMtimeMs: 200 },
      ]),
      ['app.ts', 'new.ts'],
    );
  });
});
