import type { BatchFrame } from '../../shared/protocol.js';
import type { Metric } from '../../shared/metric.js';
import { STATUS_EXIT_CODE } from '../../shared/status.js';
import type { Logger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import { touchHost } from '../db/hosts.js';
import { recordCheckResults } from '../db/check-states.js';
import type { MetricsStore } from '../metrics/store.js';
import type { IngestListener, IngestedHost } from './listener.js';

export interface IngestDeps {
  db: Db;
  store: MetricsStore;
  listeners: readonly IngestListener[];
  now(): number;
  log: Logger;
  /** Last-seen bookkeeping; the hub throttles it so a busy agent does not write its host row per batch. */
  markSeen?(hostId: string, now: number): void;
}

/**
 * The points a batch becomes. The collector, not the agent, sets the `customer` and `host` tags: an agent
 * can never write into another customer's series. Each result also becomes one `check` point (status
 * code and duration), which availability figures in reports are computed from.
 */
export function pointsOfBatch(host: IngestedHost, batch: BatchFrame): Metric[] {
  // The batch was freshly parsed for this call, so its metrics are ours to tag in place (no copies: this
  // runs for every point that arrives).
  const own = (m: Metric) => {
    m.tags.customer = host.customerId;
    m.tags.host = host.hostId;
    return m;
  };
  const points: Metric[] = [];
  for (const r of batch.results) {
    points.push(own({
      measurement: 'check',
      tags: { check: r.name, check_id: r.checkId },
      fields: { status_code: STATUS_EXIT_CODE[r.status], duration_ms: r.durationMs },
      time: r.startedAt,
    }));
    for (const m of r.metrics) points.push(own(m));
  }
  for (const m of batch.metrics) points.push(own(m));
  return points;
}

/**
 * validate (done by the caller's zod parse) -> store -> state. Resolves when the points are durable, so the
 * caller may ack; throws (and the caller must not ack) when the store refused or is down.
 */
export async function ingestBatch(deps: IngestDeps, host: IngestedHost, batch: BatchFrame): Promise<{ points: number }> {
  const points = pointsOfBatch(host, batch);
  if (points.length) await deps.store.write(points);
  const now = deps.now();
  if (deps.markSeen) deps.markSeen(host.hostId, now);
  else touchHost(deps.db, host.hostId, now);
  if (batch.results.length) {
    recordCheckResults(deps.db, host.hostId, host.customerId, batch.results);
    for (const l of deps.listeners) {
      try {
        await l.onResults(host, batch.results, now, { requestId: batch.requestId });
      } catch (err) {
        // The batch is stored and will be acked; a listener bug must not make the agent re-send forever.
        deps.log.error({ err, host: host.hostId }, 'ingest listener failed');
      }
    }
  }
  return { points: points.length };
}
