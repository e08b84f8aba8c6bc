/**
 * How fast a failing result becomes a ticket, and a notification on the wire.
 *  - "ticket exists": from handing the openAfter-th failing result to the state engine (what ingest does
 *    after the batch is durable) until the ticket row is committed.
 *  - "notification leaving": from that same moment until a local HTTP receiver has the webhook request,
 *    with the coalescing window set to 0 and tick() called at once (the collector's tick period, and the
 *    60 s default coalescing window, come on top of this in production).
 * Real SQLite file (WAL) in a temp folder, real HTTP receiver on 127.0.0.1. Prints figures and rewrites the
 * "Tickets" section of docs/benchmarks.md.
 */
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../collector/db/database.js';
import { ensureCustomer } from '../collector/db/customers.js';
import { createHost, touchHost } from '../collector/db/hosts.js';
import { createUser } from '../collector/db/users.js';
import { addShift } from '../collector/oncall/rota-store.js';
import { createChannel } from '../collector/notify/channels.js';
import { createTicketSystem } from '../collector/tickets/ticket-runtime.js';
import { listTickets } from '../collector/tickets/ticket-store.js';
import type { CheckResult } from '../shared/check-result.js';
import { freePort } from './servers/ports.js';
import { tempDir } from './servers/temp-dir.js';

const HOSTS = 200;
const CHECKS_PER_HOST = 10;
const NOTIFY_SAMPLES = 100;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (v: number) => `${v.toFixed(2)} ms`;

async function main() {
  const dir = tempDir('bench-tickets');
  const db = openDatabase(join(dir.path, 'patrol.db'));
  const start = Date.now();
  ensureCustomer(db, 'acme', 'ACME', start);
  const engineer = createUser(db, { username: 'lin', password: 'pw', role: 'engineer', serves: ['acme'], now: start });
  addShift(db, { tier: 1, userId: engineer.id, customerId: 'acme', startsAt: 0 }, start);

  // The receiver notes when each ticket number arrived.
  const arrivedAt = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const port = await freePort();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const t = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { items: Array<{ number: string }> };
      for (const i of body.items) {
        arrivedAt.set(i.number, t);
        waiters.get(i.number)?.();
      }
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', () => r()));
  createChannel(db, { kind: 'webhook', name: 'bench', config: { url: `http://127.0.0.1:${port}/hook` } }, start);

  const system = createTicketSystem({ db, now: Date.now, coalesceWindowMs: 0, reconnectGraceMs: 0 });
  const hosts = Array.from({ length: HOSTS }, (_, i) => createHost(db, { customerId: 'acme', name: `h${i}`, kind: 'agent', now: start }));
  const result = (name: string, status: CheckResult['status'], at: number): CheckResult => ({
    name,
    checkId: 'system.disk',
    status,
    summary: `${name} ${status}`,
    startedAt: at,
    durationMs: 1,
    metrics: [],
  });

  // 1. Steady state: batches of OK results (no ticket) — the engine's cost on every ingested batch.
  let t = Date.now();
  const okStart = performance.now();
  for (let round = 0; round < 5; round++) {
    t += 1000;
    for (const h of hosts) {
      touchHost(db, h.id, t);
      system.engine.onResults({ hostId: h.id, customerId: 'acme' }, Array.from({ length: CHECKS_PER_HOST }, (_, c) => result(`c${c}`, 'OK', t)), t);
    }
  }
  const okMs = performance.now() - okStart;
  const okPerSec = (5 * HOSTS * CHECKS_PER_HOST) / (okMs / 1000);

  // 2. First failure of each host's c0 (no ticket yet, openAfter = 2).
  t += 1000;
  for (const h of hosts) system.engine.onResults({ hostId: h.id, customerId: 'acme' }, [result('c0', 'CRITICAL', t)], t);

  // 3. The second failure opens the ticket: time each one.
  const toTicket: number[] = [];
  const toNotification: number[] = [];
  t += 1000;
  for (const [i, h] of hosts.entries()) {
    const before = performance.now();
    system.engine.onResults({ hostId: h.id, customerId: 'acme' }, [result('c0', 'CRITICAL', t)], t);
    const opened = performance.now();
    toTicket.push(opened - before);
    if (i < NOTIFY_SAMPLES) {
      const number = listTickets(db, { hostId: h.id, now: t })[0]!.number;
      const arrived = new Promise<void>((r) => waiters.set(number, r));
      await system.tick(t);
      await arrived;
      toNotification.push(arrivedAt.get(number)! - before);
    }
  }
  const ticketCount = listTickets(db, { now: t, limit: 1000 }).length;
  if (ticketCount !== HOSTS) throw new Error(`expected ${HOSTS} tickets, found ${ticketCount}`);

  await system.close();
  receiver.close();
  db.close();
  dir.remove();

  toTicket.sort((a, b) => a - b);
  toNotification.sort((a, b) => a - b);
  const rows: Array<[string, string]> = [
    ['hosts x checks (SQLite file, WAL)', `${HOSTS} x ${CHECKS_PER_HOST}`],
    ['OK results through the state engine', `${Math.round(okPerSec).toLocaleString('en')} results/s`],
    ['failing result -> ticket committed, p50 / p95 / max', `${ms(pct(toTicket, 50))} / ${ms(pct(toTicket, 95))} / ${ms(toTicket[toTicket.length - 1]!)}`],
    [
      'failing result -> webhook received, p50 / p95 / max',
      `${ms(pct(toNotification, 50))} / ${ms(pct(toNotification, 95))} / ${ms(toNotification[toNotification.length - 1]!)} (${toNotification.length} samples)`,
    ],
    ['added in production', 'collector tick period + coalescing window (60 s default, per host)'],
  ];
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Linux ${release()}.`;
  const table = ['| figure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  const section = `## Tickets (npm run bench:tickets)\n\n${header}\n\n${table}\n`;
  console.log(section);

  const file = join(process.cwd(), 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const re = /## Tickets \(npm run bench:tickets\)\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(current) ? current.replace(re, section.trimEnd() + '\n') : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  console.log(`written to ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
