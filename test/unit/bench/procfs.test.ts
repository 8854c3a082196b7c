import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuSeconds, parseCmdline, parseProcStat, parseRssBytes } from '../../../bench/procfs.js';

// Field layout of proc(5); the name holds a space and parentheses, as a process may name itself.
const STAT =
  '4242 (ffm (peg) x) S 4100 4242 4100 0 -1 4194560 12000 0 0 0 1530 245 0 0 20 0 9 0 987654 912345088 30000 ' +
  '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

describe('parseProcStat', () => {
  it('counts fields from the last parenthesis', () => {
    const stat = parseProcStat(STAT);
    assert.deepEqual(stat, {
      pid: 4242,
      comm: 'ffm (peg) x',
      state: 'S',
      ppid: 4100,
      utimeTicks: 1530,
      stimeTicks: 245,
      startTimeTicks: 987654,
    });
    assert.equal(cpuSeconds(stat, 100), 17.75);
  });

  it('rejects text that is not a stat line', () => {
    assert.throws(() => parseProcStat('hello'), /not a \/proc\/PID\/stat line/);
    assert.throws(() => parseProcStat('1 (x) S 0'), /no field/);
  });
});

describe('parseRssBytes', () => {
  it('reads VmRSS, or null when the kernel gives none (zombie)', () => {
    assert.equal(parseRssBytes('Name:\tnode\nVmPeak:\t  200 kB\nVmRSS:\t   91152 kB\nThreads:\t11\n'), 91152 * 1024);
    assert.equal(parseRssBytes('Name:\tnginx\nState:\tZ (zombie)\n'), null);
  });
});

describe('parseCmdline', () => {
  it('splits NUL-separated arguments', () => {
    assert.deepEqual(parseCmdline('nginx: worker process\0\0'), ['nginx: worker process']);
    assert.deepEqual(parseCmdline('ffmpeg\0-i\0x\0'), ['ffmpeg', '-i', 'x']);
  });
});
