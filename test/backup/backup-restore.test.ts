import { afterAll, beforeAll, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CollectorConfigInput } from '../../collector/config.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { generateReport } from '../../collector/reports/generate.js';
import { BackupManifestSchema } from '../../collector/backup/manifest.js';
import { BackupRefused } from '../../collector/backup/backup.js';
import { restoreBackup } from '../../collector/backup/restore.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A service company moves its collector to a new machine: `patrol-collector backup` while the old one runs
 * (and keeps ingesting), `patrol-collector restore` into a fresh folder, a fresh collector on it. The agents
 * come back with the keys they already hold; the tickets and the report are all there.
 */

function collectorCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/patrol-collector.js', ...args], { env: { ...process.env, PATROL_LOG_LEVEL: 'warn' }, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });

interface Host {
  agentId: string;
  agentKey: string;
  hostId: string;
}

/** One result of `checkId` with one metric line; resolves on its ack. */
async function sendResult(agent: RawAgent, seq: number, checkId: string, status: string, time: number): Promise<void> {
  const result = { name: checkId, checkId, status, summary: `${checkId} ${status}`, startedAt: time, durationMs: 2, lines: `probe value=${seq} ${time}` };
  agent.sendRaw(JSON.stringify({ type: 'batch', seq, results: [result] }));
  const answer = await agent.next((f) => (f.type === 'ack' || f.type === 'error') && f.seq === seq);
  if (answer.type !== 'ack') throw new Error(`batch ${seq} refused: ${JSON.stringify(answer)}`);
}

/** Plain ws on loopback: the raw agent speaks ws (the CA files are backed up like any key file either way). */
const PLAIN_LOOPBACK = { tls: 'off' } as CollectorConfigInput;

let old: TestCollector;
let oldClosed = false;
let fresh: TestCollector | undefined;
const backupDir = tempDir('backup-out');
const newMachine = tempDir('backup-restored');
const hosts: Host[] = [];
let ticketsBefore: Array<{ number: string; hostId: string; state: string }>;
let reportId: string;
let adminPassword: string;

beforeAll(async () => {
  old = await startTestCollector(PLAIN_LOOPBACK, { plugins: [ticketsPlugin, reportsPlugin] });
  adminPassword = old.adminPassword!;
  // Key material the collector keeps in its data dir (secrets at rest, its CA); a stand-in where a part is off.
  const keep = (path: string, text: string, mode: number) => existsSync(join(old.dataDir, path)) || writeFileSync(join(old.dataDir, path), text, { mode });
  mkdirSync(join(old.dataDir, 'tls'), { recursive: true, mode: 0o700 });
  keep('secret.key', randomBytes(32).toString('hex'), 0o600);
  keep('tls/ca.key', 'stand-in key', 0o600);
  keep('tls/ca.crt', 'stand-in cert', 0o644);

  // Three enrolled hosts, each with a disk that stayed CRITICAL long enough for a ticket (openAfter 2).
  const t0 = Date.now() - 600_000;
  for (const name of ['db1', 'web1', 'web2']) {
    const h = old.enrollHost('acme', name);
    hosts.push(h);
    const agent = await RawAgent.connect(old.wsUrl, h.agentKey);
    await agent.hello(h.agentId);
    for (let i = 1; i <= 3; i++) await sendResult(agent, i, 'system.disk', 'CRITICAL', t0 + i * 60_000);
    agent.close();
  }
  const res = await fetch(`${old.url}/api/tickets`, { headers: basic(adminPassword) });
  ticketsBefore = ((await res.json()) as { tickets: typeof ticketsBefore }).tickets;
  expect(ticketsBefore).toHaveLength(3);

  const rec = await generateReport({ db: old.db, store: old.store, dataDir: old.dataDir, now: Date.now }, { customerId: 'acme', inspectionKey: 'national-day-2026', lang: 'en' });
  reportId = rec.id;
  expect(rec.filesDir.startsWith(old.dataDir)).toBe(true);

  // Enough metrics that the online backup of metrics.db takes a while.
  const base = Date.now() - 86_400_000;
  const lines = Array.from({ length: 200_000 }, (_, i) => `bulk,customer=acme,host=${hosts[i % 3]!.hostId},series=s${i % 500} value=${i} ${base + i}`);
  for (let i = 0; i < lines.length; i += 20_000) await old.store.writeLines(lines.slice(i, i + 20_000));
}, 120_000);

afterAll(async () => {
  await fresh?.destroy();
  if (!oldClosed) await old?.destroy();
  backupDir.remove();
  newMachine.remove();
});

test('a backup taken while agents keep writing is consistent, restores on a new machine, and the fleet comes back', async () => {
  // An agent keeps sending results (each stored in metrics.db and patrol.db before its ack) during the backup.
  const writer = await RawAgent.connect(old.wsUrl, hosts[0]!.agentKey);
  await writer.hello(hosts[0]!.agentId);
  let writing = true;
  const acked: number[] = [];
  const ackTimes: number[] = [];
  const writes = (async () => {
    for (let seq = 100; writing; seq++) {
      await sendResult(writer, seq, 'system.cpu', 'OK', Date.now() - 1000 + (seq % 1000));
      acked.push(seq);
      ackTimes.push(Date.now());
    }
  })();
  const ackedBefore = await new Promise<number[]>((resolve) => setTimeout(() => resolve([...acked]), 300));
  const out = join(backupDir.path, 'b1');
  const started = Date.now();
  const backup = await collectorCli(['backup', '--data-dir', old.dataDir, '--out', out]);
  const ended = Date.now();
  writing = false;
  await writes;
  writer.close();
  expect(backup.err).toBe('');
  expect(backup.code).toBe(0);
  expect(backup.out).toMatch(new RegExp(`^backup of ${old.dataDir} written to ${out}: \\d+ files`));
  expect(ackTimes.filter((t) => t > started && t < ended).length).toBeGreaterThan(10);

  const manifest = BackupManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
  const byPath = new Map(manifest.files.map((f) => [f.path, f]));
  expect(byPath.get('patrol.db')?.kind).toBe('sqlite');
  expect(byPath.get('metrics.db')?.kind).toBe('sqlite');
  expect(byPath.get('secret.key')).toMatchObject({ kind: 'file', mode: 0o600 });
  expect(byPath.get('tls/ca.key')).toMatchObject({ mode: 0o600 });
  expect([...byPath.keys()].filter((p) => p.startsWith(`reports/acme/${reportId}/`)).sort()).toEqual([`reports/acme/${reportId}/report.html`, `reports/acme/${reportId}/report.json`]);
  expect([...byPath.keys()].some((p) => /-(wal|shm|journal)$/.test(p))).toBe(false);

  // Each copied store is whole, and every result acked before the backup began is in it.
  for (const name of ['patrol.db', 'metrics.db']) {
    const copy = new Database(join(out, 'data', name), { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('foreign_key_check')).toEqual([]);
    copy.close();
  }
  const metrics = new Database(join(out, 'data', 'metrics.db'), { readonly: true });
  const probeValues = new Set((metrics.prepare(`SELECT p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.measurement = 'probe' AND p.field = 'value'`).all() as Array<{ value: number }>).map((r) => r.value));
  metrics.close();
  for (const seq of ackedBefore) expect(probeValues.has(seq)).toBe(true);
  const sent = new Set([1, 2, 3, ...acked]);
  expect([...probeValues].filter((v) => !sent.has(v))).toEqual([]);

  // A damaged copy is refused before anything is written, naming the file.
  const damaged = join(backupDir.path, 'damaged');
  cpSync(out, damaged, { recursive: true });
  const keyCopy = join(damaged, 'data', 'secret.key');
  writeFileSync(keyCopy, `${readFileSync(keyCopy, 'utf8')}x`);
  const target = join(newMachine.path, 'patrol');
  await expect(restoreBackup({ from: damaged, dataDir: target })).rejects.toThrow(new BackupRefused('the backup is damaged: sha256 differs or file missing for secret.key'));
  expect(existsSync(target)).toBe(false);

  // The old machine goes away (its folder with it); the new one gets the backup.
  await old.close();
  oldClosed = true;
  const oldKey = readFileSync(join(old.dataDir, 'secret.key'));
  rmSync(old.dataDir, { recursive: true, force: true });
  const restored = await collectorCli(['restore', '--from', out, '--data-dir', target]);
  expect(restored.err).toBe('');
  expect(restored.code).toBe(0);
  expect(restored.out).toContain(`restored ${manifest.files.length} files of the backup made ${manifest.createdAt}`);
  expect(statSync(join(target, 'secret.key')).mode & 0o777).toBe(0o600);
  expect(statSync(join(target, 'tls', 'ca.key')).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(target, 'secret.key'))).toEqual(oldKey);
  await expect(restoreBackup({ from: out, dataDir: target })).rejects.toThrow(`${target} is not empty; restore into a new folder, or stop the collector and give --force`);

  fresh = await startTestCollector({ ...PLAIN_LOOPBACK, dataDir: target }, { plugins: [ticketsPlugin, reportsPlugin] });
  expect(fresh.adminPassword).toBeUndefined();

  // Every agent is accepted with the key it already holds; a key the old collector never issued is not.
  for (const h of hosts) {
    const agent = await RawAgent.connect(fresh.wsUrl, h.agentKey);
    const welcome = await agent.hello(h.agentId);
    expect(welcome).toMatchObject({ type: 'welcome', hostId: h.hostId });
    await sendResult(agent, 10_000, 'system.disk', 'CRITICAL', Date.now());
    agent.close();
  }
  await expect(RawAgent.connect(fresh.wsUrl, `pa_${randomBytes(24).toString('base64url')}`)).rejects.toThrow(/HTTP 401/);

  // The same tickets (still one per problem after the new CRITICAL results), with the old admin's password.
  const tickets = ((await (await fetch(`${fresh.url}/api/tickets`, { headers: basic(adminPassword) })).json()) as { tickets: typeof ticketsBefore }).tickets;
  const key = (t: (typeof ticketsBefore)[number]) => `${t.number} ${t.hostId} ${t.state}`;
  expect(tickets.map(key).sort()).toEqual(ticketsBefore.map(key).sort());

  // The report opens from its new folder.
  const html = await fetch(`${fresh.url}/api/reports/${reportId}/html`, { headers: basic(adminPassword) });
  expect(html.status).toBe(200);
  expect(await html.text()).toContain('<html');
  const row = fresh.db.prepare('SELECT files_dir AS dir FROM reports WHERE id = ?').get(reportId) as { dir: string };
  expect(row.dir).toBe(join(target, 'reports', 'acme', reportId));
}, 120_000);
