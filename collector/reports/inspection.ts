import { randomUUID } from 'node:crypto';
import type { CheckResult } from '../../shared/check-result.js';
import { CheckResultSchema } from '../../shared/check-result.js';
import { createLogger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import { listHosts } from '../db/hosts.js';
import type { IngestListener } from '../ingest/listener.js';
import type { ReceivedResult } from '../../shared/protocol.js';
import { parseLine } from '../../shared/line-protocol.js';
import { z } from 'zod';
import { addDays, localDate, quarterOf, startOfLocalDate, type InspectionDate } from './holiday-calendar.js';

const log = createLogger('reports.inspection');

/** What the inspection needs of the agent hub (AgentHub satisfies it). */
export interface RunNowHub {
  runNow(hostId: string, requestId: string): boolean;
}

export interface InspectionHost {
  hostId: string;
  answered: boolean;
  /** Why a host is "not reachable at inspection": not connected, no answer in time, agentless. */
  reason: string;
  results: CheckResult[];
  answeredAt: number | null;
}

export interface InspectionRecord {
  id: string;
  customerId: string;
  /** The calendar inspection this run is for ("national-day-2026"); null for a run made before keys existed. */
  inspectionKey: string | null;
  period: string;
  startedAt: number;
  finishedAt: number | null;
  hosts: InspectionHost[];
}

/**
 * Catches the answers to run-now requests: the ingest listener hands it every stored batch with its
 * requestId; a waiting inspection registers the request ids it sent.
 */
export class InspectionAnswers implements IngestListener {
  private readonly waiting = new Map<string, (r: { hostId: string; results: readonly CheckResult[]; at: number }) => void>();
  /** Answers that came in several batches (too big for one frame), until every part is here. */
  private readonly parts = new Map<string, { results: CheckResult[]; seen: number }>();

  onResults(host: { hostId: string }, results: readonly ReceivedResult[], now: number, batch?: { requestId?: string; requestParts?: number }): void {
    const id = batch?.requestId;
    if (!id) return;
    const resolve = this.waiting.get(id);
    if (!resolve) return;
    // The snapshot keeps each result's figures by name, so the lines become metrics again (once per inspection).
    const got = results.map(({ lines, ...r }) => ({ ...r, metrics: lines.map(parseLine) }));
    const sofar = this.parts.get(id) ?? { results: [], seen: 0 };
    sofar.results.push(...got);
    sofar.seen++;
    if (sofar.seen < (batch.requestParts ?? 1)) {
      this.parts.set(id, sofar);
      return;
    }
    this.parts.delete(id);
    this.waiting.delete(id);
    // A result split over parts is one check: keep it once, with all its metrics.
    const byName = new Map<string, CheckResult>();
    for (const r of sofar.results) {
      const seen = byName.get(r.name);
      if (seen && seen.startedAt === r.startedAt) seen.metrics.push(...r.metrics);
      else byName.set(r.name, r);
    }
    resolve({ hostId: host.hostId, results: [...byName.values()], at: now });
  }

  /** Resolves with the answer, or null when none came within timeoutMs. */
  wait(requestId: string, timeoutMs: number): Promise<{ results: readonly CheckResult[]; at: number } | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        this.parts.delete(requestId);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(requestId, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }
}

/**
 * The inspection run: ask every connected agent host of the customer for a fresh run of all its checks,
 * wait (bounded) for the answers, and record the snapshot. Hosts that did not answer, and hosts without
 * an agent (their remote checks keep their own schedule), are listed as not reachable at inspection.
 */
export async function runInspection(opts: {
  db: Db;
  hub: RunNowHub;
  answers: InspectionAnswers;
  customerId: string;
  /** The calendar inspection this run is for; its quarter is the period. */
  inspection?: Pick<InspectionDate, 'key' | 'period'>;
  /** Without `inspection`: the quarter only (a run not tied to a calendar inspection). */
  period?: string;
  now: () => number;
  timeoutMs?: number;
}): Promise<InspectionRecord> {
  const { db } = opts;
  const id = randomUUID();
  const startedAt = opts.now();
  const inspectionKey = opts.inspection?.key ?? null;
  const period = opts.inspection?.period ?? opts.period ?? quarterOf(localDate(startedAt));
  const hosts = listHosts(db, [opts.customerId]);
  db.prepare('INSERT INTO inspections (id, customer_id, period, inspection_key, started_at, hosts_asked) VALUES (?, ?, ?, ?, ?, ?)').run(
    id,
    opts.customerId,
    period,
    inspectionKey,
    startedAt,
    hosts.length,
  );

  const outcome = await Promise.all(
    hosts.map(async (h): Promise<InspectionHost> => {
      const requestId = `inspection:${id}:${h.id}`;
      const answer = opts.answers.wait(requestId, opts.timeoutMs ?? 60_000);
      if (!opts.hub.runNow(h.id, requestId)) {
        // Not connected: stop waiting at once (the promise would only time out).
        opts.answers.onResults({ hostId: h.id }, [], opts.now(), { requestId });
        await answer;
        return { hostId: h.id, answered: false, reason: 'not-connected', results: [], answeredAt: null };
      }
      const r = await answer;
      if (!r) return { hostId: h.id, answered: false, reason: 'no-answer', results: [], answeredAt: null };
      return { hostId: h.id, answered: true, reason: '', results: [...r.results], answeredAt: r.at };
    }),
  );

  const finishedAt = opts.now();
  const insert = db.prepare(
    'INSERT INTO inspection_hosts (inspection_id, host_id, customer_id, answered, reason, results, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const o of outcome) insert.run(id, o.hostId, opts.customerId, o.answered ? 1 : 0, o.reason, JSON.stringify(o.results), o.answeredAt);
    db.prepare('UPDATE inspections SET finished_at = ?, hosts_answered = ? WHERE id = ?').run(finishedAt, outcome.filter((o) => o.answered).length, id);
  })();
  log.info({ customer: opts.customerId, inspection: inspectionKey, period, asked: hosts.length, answered: outcome.filter((o) => o.answered).length }, 'inspection recorded');
  return { id, customerId: opts.customerId, inspectionKey, period, startedAt, finishedAt, hosts: outcome };
}

const StoredResults = z.array(CheckResultSchema);

/** An inspection of a customer (tenancy: another customer's id is "not found"). */
export function getInspection(db: Db, id: string, customerIds?: readonly string[]): InspectionRecord | undefined {
  const row = db
    .prepare('SELECT id, customer_id AS customerId, inspection_key AS inspectionKey, period, started_at AS startedAt, finished_at AS finishedAt FROM inspections WHERE id = ?')
    .get(id) as
    | Omit<InspectionRecord, 'hosts'>
    | undefined;
  if (!row || (customerIds && !customerIds.includes(row.customerId))) return undefined;
  const hosts = (
    db.prepare('SELECT host_id AS hostId, answered, reason, results, answered_at AS answeredAt FROM inspection_hosts WHERE inspection_id = ?').all(id) as Array<{
      hostId: string;
      answered: number;
      reason: string;
      results: string;
      answeredAt: number | null;
    }>
  ).map((h) => ({ ...h, answered: h.answered === 1, results: StoredResults.parse(JSON.parse(h.results)) }));
  return { ...row, hosts };
}

/**
 * The latest recorded run of a calendar inspection, if any. A run recorded before keys existed counts
 * when it started between the inspection day and its report due date.
 */
export function latestInspection(db: Db, customerId: string, inspection: InspectionDate): InspectionRecord | undefined {
  const row = db
    .prepare(
      `SELECT id FROM inspections WHERE customer_id = @customerId
         AND (inspection_key = @key OR (inspection_key IS NULL AND period = @period AND started_at >= @from AND started_at < @to))
       ORDER BY started_at DESC LIMIT 1`,
    )
    .get({
      customerId,
      key: inspection.key,
      period: inspection.period,
      from: startOfLocalDate(inspection.inspectionDate),
      to: startOfLocalDate(addDays(inspection.reportDueDate, 1)),
    }) as { id: string } | undefined;
  return row ? getInspection(db, row.id) : undefined;
}

/** The latest run of a customer's inspection (any) that started in [from, to): a quarter report's snapshot. */
export function latestRunBetween(db: Db, customerId: string, from: number, to: number): InspectionRecord | undefined {
  const row = db
    .prepare('SELECT id FROM inspections WHERE customer_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at DESC LIMIT 1')
    .get(customerId, from, to) as { id: string } | undefined;
  return row ? getInspection(db, row.id) : undefined;
}
