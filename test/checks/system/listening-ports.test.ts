import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ports, { parseProcNetTcp } from '../../../checks/system/listening-ports.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';
import { freePort } from '../../helpers/ports.js';

let server: Server;
let port: number;
let closedPort: number;

beforeAll(async () => {
  closedPort = await freePort();
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('system.listening-ports', () => {
  test('a port a local server listens on is OK', async () => {
    const r = await runCheck(ports, testCheckContext(), { ports: [port] });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]).toMatchObject({ tags: { port: String(port) }, fields: { listening: 1 } });
  });

  test('a port nobody listens on is CRITICAL and named', async () => {
    const r = await runCheck(ports, testCheckContext(), { ports: [port, closedPort] });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toBe(`not listening on TCP ${closedPort}`);
  });

  test('parses the kernel table: only LISTEN rows, little-endian IPv4 addresses', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
      '   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1',
    ].join('\n');
    expect(parseProcNetTcp(table, 4)).toEqual([{ address: '127.0.0.1', port: 8080 }]);
  });
});
