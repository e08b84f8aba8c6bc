import type { BatchFrame, ReceivedResult } from '../../shared/protocol.js';
import { escapeTagValue, ownerTagText, withOwnerTags } from '../../shared/line-protocol.js';
import { STATUS_EXIT_CODE } from '../../shared/status.js';
import type { Logger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import { touchHost } from '../db/hosts.js';
import { recordCheckResults } from '../db/check-states.js';
import type { MetricsStore } from '../metrics/store.js';
import type { IngestListener, IngestedHost } from './listener.js';
import type { TurnTransaction } from './turn-transaction.js';

export interface IngestDeps {
  db: Db;
  store: MetricsStore;
  listeners: readonly IngestListener[];
  now(): number;
  log: Logger;
  /** Last-seen bookkeeping; the hub throttles it so a busy agent does not write its host row per batch. */
  markSeen?(hostId: string, now: number): void;
  /** Shares one patrol.db commit among the batches of a turn of the event loop (the hub's); without it, each write commits. */
  turn?: TurnTransaction;
}

/** The `check` point of a result: status code and duration, which availability figures in reports come from. */
function checkLine(r: ReceivedResult, ownerTags: string): string {
  // Names are check assignment names (any text up to 200 characters): escaped like every tag value.
  return `check${ownerTags},check=${escapeTagValue(r.name)},check_id=${escapeTagValue(r.checkId)} status_code=${STATUS_EXIT_CODE[r.status]}.0,duration_ms=${r.durationMs} ${r.startedAt}`;
}

/**
 * The lines a batch becomes. The collector, not the agent, sets the `customer` and `host` tags (the wire
 * schema refused any line that tried): an agent can never write into another customer's series. Each result
 * also becomes one `check` point.
 */
export function linesOfBatch(host: IngestedHost, batch: BatchFrame): string[] {
  const owner = ownerTagText(host.customerId, host.hostId);
  const lines: string[] = [];
  for (const r of batch.results) {
    lines.push(checkLine(r, owner));
    for (const l of r.lines) lines.push(withOwnerTags(l, owner));
  }
  for (const l of batch.lines) lines.push(withOwnerTags(l, owner));
  return lines;
}

/**
 * validate (done by the caller's zod parse) -> store -> state. Resolves when the points are durable, so the
 * caller may ack; throws (and the caller must not ack) when the store refused or is down.
 */
export async function ingestBatch(deps: IngestDeps, host: IngestedHost, batch: BatchFrame): Promise<{ points: number }> {
  const lines = linesOfBatch(host, batch);
  // Seen before stored: an agent whose batches arrive is not silent while the metrics store is down (the chaos run's
  // five-minute InfluxDB outage opened a host-unreachable ticket for every one of its 1,000 hosts).
  const now = deps.now();
  const inTurn = <T>(fn: () => T): T => (deps.turn ? deps.turn.run(fn) : fn());
  inTurn(() => (deps.markSeen ? deps.markSeen(host.hostId, now) : touchHost(deps.db, host.hostId, now)));
  if (lines.length) await deps.store.writeLines(lines);
  if (batch.results.length) {
    inTurn(() => recordCheckResults(deps.db, host.hostId, host.customerId, batch.results));
    for (const l of deps.listeners) {
      try {
        // A listener's synchronous writes (the ticket state engine's) join the turn's transaction too.
        await inTurn(() => l.onResults(host, batch.results, now, { requestId: batch.requestId, requestParts: batch.requestParts }));
      } catch (err) {
        // The batch is stored and will be acked; a listener bug must not make the agent re-send forever.
        deps.log.error({ err, host: host.hostId }, 'ingest listener failed');
      }
    }
  }
  return { points: lines.length };
}
