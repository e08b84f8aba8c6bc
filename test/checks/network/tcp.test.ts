import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import tcp from '../../../checks/network/tcp.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';
import { freePort } from '../../helpers/ports.js';

let server: Server;
let port: number;
let accepted = 0;

beforeAll(async () => {
  server = createServer((s) => {
    accepted++;
    s.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('network.tcp', () => {
  test('an open port: OK, connect latency as a metric, the server saw the connection', async () => {
    const before = accepted;
    const r = await runCheck(tcp, testCheckContext(), { host: '127.0.0.1', port });
    expect(r.status).toBe('OK');
    expect(r.summary).toMatch(new RegExp(`^connected to 127\\.0\\.0\\.1:${port} in [\\d.]+ ms$`));
    expect(r.metrics![0]!.fields.up).toBe(1);
    expect(r.metrics![0]!.fields.connect_sec).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 20));
    expect(accepted).toBe(before + 1);
  });

  test('a closed port: CRITICAL "connection refused"', async () => {
    const closed = await freePort();
    const r = await runCheck(tcp, testCheckContext(), { host: '127.0.0.1', port: closed });
    expect(r).toMatchObject({ status: 'CRITICAL', summary: `cannot connect to 127.0.0.1:${closed}: connection refused` });
    expect(r.metrics![0]!.fields).toEqual({ up: 0 });
  });
});
