import type { Migration } from '../migrate.js';

/**
 * What the collector refused from each agent (issue 11: agents are held to their own host and rate): frames over
 * its rate, results of checks it was not assigned, batches dated outside the window around the collector's clock,
 * and frames that failed validation. Counted in memory and added here every few seconds, so a flood costs no more
 * writes than a quiet agent and the counts survive a restart; shown on the agents page.
 */
export const migration: Migration = {
  version: 70,
  name: 'agent-refusals',
  sql: `
    CREATE TABLE agent_refusals (
      agent_id TEXT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
      rate_limited INTEGER NOT NULL DEFAULT 0,
      unassigned_results INTEGER NOT NULL DEFAULT 0,
      future_batches INTEGER NOT NULL DEFAULT 0,
      past_batches INTEGER NOT NULL DEFAULT 0,
      bad_frames INTEGER NOT NULL DEFAULT 0,
      last_refused_at INTEGER,
      last_reason TEXT
    );
  `,
};
