import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWrk, wrkArgs } from '../../../bench/wrk.js';

// wrk 4.1.0 (Debian) as it printed here.
const OK = `Running 2s test @ http://127.0.0.1:18777/seg.bin
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    14.69ms    9.79ms 110.90ms   88.36%
    Req/Sec   216.73    112.61   475.00     63.41%
  Latency Distribution
     50%   12.48ms
     75%   17.69ms
     90%   23.78ms
     99%   56.91ms
  896 requests in 2.13s, 513.06MB read
Requests/sec:    421.47
Transfer/sec:    241.34MB
`;

const ERRORS = `Running 1s test @ http://127.0.0.1:18777/nope
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   950.00us    5.94ms  37.03ms   78.70%
    Req/Sec   313.43    122.32   525.00     61.90%
  Latency Distribution
     50%  950.00us
     75%   11.47ms
     90%   17.04ms
     99%    1.20s
  659 requests in 1.10s, 334.83KB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 659
Requests/sec:    598.53
Transfer/sec:    304.10KB
`;

describe('parseWrk', () => {
  it('reads throughput with binary units, and the latency distribution', () => {
    assert.deepEqual(parseWrk(OK), {
      requests: 896,
      durationS: 2.13,
      requestsPerS: 421.47,
      mibPerS: 241.34,
      non2xx: 0,
      socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
      latencyMs: { p50: 12.48, p75: 17.69, p90: 23.78, p99: 56.91 },
    });
  });

  it('reports errors and non-2xx answers, and converts us/s latencies', () => {
    const result = parseWrk(ERRORS);
    assert.equal(result.non2xx, 659);
    assert.deepEqual(result.socketErrors, { connect: 0, read: 3, write: 0, timeout: 7 });
    assert.ok(Math.abs(result.mibPerS - 304.1 / 1024) < 1e-9);
    assert.ok(Math.abs(result.latencyMs.p50 - 0.95) < 1e-9);
    assert.ok(Math.abs(result.latencyMs.p99 - 1200) < 1e-9);
  });

  it('refuses output without a summary', () => {
    assert.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n'), /no request count/);
  });
});

describe('wrkArgs', () => {
  it('is the reference load: threads, connections, duration, latency distribution', () => {
    assert.deepEqual(wrkArgs({ url: 'http://h/x', threads: 2, connections: 50, durationS: 10 }), [
      '-t2',
      '-c50',
      '-d10s',
      '--latency',
      'http://h/x',
    ]);
  });
});
