import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { pino } from 'pino';
import { KeptListening } from '../../../src/ingest/kept-listening.js';

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

test('a listener that dies behind its back is bound again on the same port within 2 s; open connections go on', async () => {
  const servers: Server[] = [];
  const kept = new KeptListening({
    name: 'RTMP',
    host: '127.0.0.1',
    port: 0,
    portSetting: 'SHOPCAST_RTMP_PORT',
    log: pino({ level: 'silent' }),
    create: () => {
      const server = createServer((socket) => socket.on('data', (bytes) => socket.write(bytes)));
      servers.push(server);
      return server;
    },
  });
  await kept.start();
  const port = kept.port;
  const open = connect({ port, host: '127.0.0.1' });
  await new Promise((resolve) => open.once('connect', resolve));

  const diedAt = Date.now();
  // What a failing accept (EMFILE and the like) looks like from outside.
  servers[0]!.emit('error', Object.assign(new Error('accept: too many open files'), { code: 'EMFILE' }));
  let back = false;
  while (!back && Date.now() - diedAt < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    back = servers.length === 2 && (await canConnect(port));
  }
  assert.ok(back, 'accepting again within 2 s');
  assert.equal(kept.port, port);
  assert.equal(kept.restarts, 1);
  const echoed = await new Promise<string>((resolve) => {
    open.once('data', (bytes) => resolve(bytes.toString()));
    open.write('still here');
  });
  assert.equal(echoed, 'still here', 'the connection opened before keeps working');
  open.destroy();
  kept.stop();
  assert.equal(await canConnect(port), false, 'stop() stops it for good');
});

test('a port taken at the first start is a clear error naming the setting', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const kept = new KeptListening({ name: 'RTMP', host: '127.0.0.1', port, portSetting: 'SHOPCAST_RTMP_PORT', log: pino({ level: 'silent' }), create: () => createServer() });
  await assert.rejects(kept.start(), /already in use: stop the other server or set SHOPCAST_RTMP_PORT/);
  blocker.close();
});
