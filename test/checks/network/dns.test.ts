import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import dnsCheck from '../../../checks/network/dns.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';

/** A tiny authoritative DNS server on 127.0.0.1: A records from a table, NXDOMAIN for anything else. */
const ZONE: Record<string, string[]> = { 'erp.customer.test': ['10.1.2.3', '10.1.2.4'] };
let server: Socket;
let port: number;
let queries = 0;

function answer(query: Buffer): Buffer {
  let i = 12;
  const labels: string[] = [];
  while (query[i]! > 0) {
    labels.push(query.subarray(i + 1, i + 1 + query[i]!).toString('ascii'));
    i += query[i]! + 1;
  }
  const questionEnd = i + 5;
  const name = labels.join('.').toLowerCase();
  const qtype = query.readUInt16BE(i + 1);
  const ips = qtype === 1 ? ZONE[name] ?? null : null;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  // QR, AA, RD copied, RA; RCODE 3 = NXDOMAIN.
  header.writeUInt16BE(ips ? 0x8580 : 0x8583, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ips?.length ?? 0, 6);
  const records = (ips ?? []).map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, k) => rr.writeUInt8(Number(o), 12 + k));
    return rr;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    queries++;
    server.send(answer(msg), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  port = server.address().port;
});
afterAll(() => server.close());

describe('network.dns', () => {
  test('localhost through the system resolver is 127.0.0.1', async () => {
    const r = await runCheck(dnsCheck, testCheckContext(), { name: 'localhost', expect: ['127.0.0.1'] });
    expect(r.status).toBe('OK');
    expect(r.summary).toMatch(/^localhost A = .*127\.0\.0\.1/);
  });

  test('asking a given server: the expected answer is OK', async () => {
    const before = queries;
    const r = await runCheck(dnsCheck, testCheckContext(), { name: 'erp.customer.test', server: `127.0.0.1:${port}`, expect: ['10.1.2.4', '10.1.2.3'] });
    expect(r.status).toBe('OK');
    expect(r.metrics![0]!.fields).toMatchObject({ resolved: 1, answers: 2 });
    expect(queries).toBe(before + 1);
  });

  test('a different answer than expected is CRITICAL and says both', async () => {
    const r = await runCheck(dnsCheck, testCheckContext(), { name: 'erp.customer.test', server: `127.0.0.1:${port}`, expect: ['10.9.9.9'] });
    expect(r.status).toBe('CRITICAL');
    expect(r.summary).toBe('erp.customer.test A answered 10.1.2.3, 10.1.2.4, expected 10.9.9.9');
  });

  test('NXDOMAIN is CRITICAL "name not found"', async () => {
    const r = await runCheck(dnsCheck, testCheckContext(), { name: 'gone.customer.test', server: `127.0.0.1:${port}` });
    expect(r).toMatchObject({ status: 'CRITICAL', summary: `gone.customer.test A @127.0.0.1:${port}: name not found (NXDOMAIN)` });
  });
});
