import type { ReceivedResult } from '../../shared/protocol.js';

export interface IngestedHost {
  hostId: string;
  customerId: string;
}

/** About the batch the results came in; `requestId` is set when it answers a run-now (an inspection). */
export interface IngestedBatch {
  requestId?: string;
  /** How many batches that answer came in; absent means one. */
  requestParts?: number;
}

/**
 * Something that wants every stored result (the ticket state engine, live dashboard updates).
 * Called after the batch is durable and acked; an error here is logged, never un-acks the batch.
 * A result's metrics come as checked lines without owner tags (parseLine() turns one into a Metric).
 */
export interface IngestListener {
  onResults(host: IngestedHost, results: readonly ReceivedResult[], now: number, batch?: IngestedBatch): void | Promise<void>;
  onAgentConnected?(host: IngestedHost, now: number): void;
  onAgentDisconnected?(host: IngestedHost, now: number): void;
}
