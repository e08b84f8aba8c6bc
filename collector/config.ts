import { z } from 'zod';
import { resolve } from 'node:path';
import { loadConfig } from '../shared/config-file.js';
import { isLoopbackHost } from '../shared/loopback.js';

const Port = z.coerce.number().int().min(0).max(65535);

/** Collector settings: a JSON file (--config) overlaid by PATROL_* environment variables. */
export const CollectorConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: Port.default(8080),
    /**
     * `auto` (default): https and wss, with PATROL_TLS_CERT/KEY when given, else with the collector's own CA and
     * certificate (made on first start in dataDir/tls). `off`: plain http and ws, allowed only on loopback.
     */
    tls: z.enum(['auto', 'off']).default('auto'),
    /** PEM files: with both, the collector serves https and wss with them instead of its own CA's certificate. */
    tlsCertFile: z.string().optional(),
    tlsKeyFile: z.string().optional(),
    /** The CA (PEM) that signed PATROL_TLS_CERT, for enrollment tokens to pin; without it a self-signed top of the chain is pinned. */
    tlsCaFile: z.string().optional(),
    /** More names and addresses for the collector's own server certificate (comma list): the public name agents use. */
    tlsSan: z
      .preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(z.string().min(1).max(253)))
      .default([]),
    /**
     * Migration from a plain collector: also listen with plain ws on this port (the old one) for agents that have
     * not been moved to wss yet. Serves the agent WebSocket only. Remove it once `patrol deploy --upgrade` moved them.
     */
    plainPort: Port.optional(),
    /** The address users open the dashboard at (https://patrol.example.com), for links in mails; unset: mails give the path only. */
    publicUrl: z.url().optional(),
    /** Folder for the SQLite files (relational store and the embedded metrics store). */
    dataDir: z.string().default('.patrol-data'),
    /** How often agents flush a batch. */
    batchIntervalSec: z.coerce.number().positive().default(10),
    /** Per agent: frames and points a minute before it is told `rate-limited` (docs/design-notes.md, item 13). */
    agentFramesPerMin: z.coerce.number().positive().default(3000),
    agentPointsPerMin: z.coerce.number().positive().default(600_000),
    /** How far ahead of the collector's clock an agent's times may be, and how old (what its spool holds). */
    agentClockSkewSec: z.coerce.number().nonnegative().default(300),
    agentMaxBacklogDays: z.coerce.number().positive().default(7),
    /** Embedded metrics store retention. */
    sqliteRetentionDays: z.coerce.number().positive().default(400),
    influxUrl: z.url().optional(),
    influxDatabase: z.string().default('patrol'),
    influxUsername: z.string().optional(),
    influxPassword: z.string().optional(),
    /** e.g. "400d": creates a default retention policy of that length on the database. */
    influxRetention: z.string().regex(/^\d+[hdw]$|^INF$/, 'like 400d, 52w or INF').optional(),
    /** InfluxDB 2.x/3.x: token, org and bucket select the v2 client. */
    influxToken: z.string().optional(),
    influxOrg: z.string().optional(),
    influxBucket: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.tlsCertFile !== !c.tlsKeyFile) ctx.addIssue({ code: 'custom', path: ['tlsCertFile'], message: 'give both PATROL_TLS_CERT and PATROL_TLS_KEY, or neither' });
    if (c.tls === 'off' && !isLoopbackHost(c.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `PATROL_TLS=off is allowed only on loopback (PATROL_HOST=127.0.0.1), not ${c.host}: agents on other machines need TLS (for a migration from plain ws see PATROL_PLAIN_PORT)`,
      });
    }
    if (c.tls === 'off' && (c.tlsCertFile || c.plainPort !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'PATROL_TLS=off goes with neither PATROL_TLS_CERT nor PATROL_PLAIN_PORT' });
    }
    if (c.tlsCaFile && !c.tlsCertFile) ctx.addIssue({ code: 'custom', path: ['tlsCaFile'], message: 'PATROL_TLS_CA names the CA of PATROL_TLS_CERT: give that too' });
    if (c.plainPort !== undefined && c.plainPort !== 0 && c.plainPort === c.port) {
      ctx.addIssue({ code: 'custom', path: ['plainPort'], message: 'PATROL_PLAIN_PORT must differ from PATROL_PORT (TLS and plain cannot share a port)' });
    }
    if (c.influxToken && !c.influxUrl) ctx.addIssue({ code: 'custom', path: ['influxUrl'], message: 'PATROL_INFLUX_URL is needed with a token' });
    if (c.influxToken && (!c.influxOrg || !c.influxBucket)) {
      ctx.addIssue({ code: 'custom', path: ['influxOrg'], message: 'InfluxDB 2.x needs PATROL_INFLUX_ORG and PATROL_INFLUX_BUCKET with the token' });
    }
  });
export type CollectorConfig = z.infer<typeof CollectorConfigSchema>;
export type CollectorConfigInput = z.input<typeof CollectorConfigSchema>;

export const COLLECTOR_ENV: Record<string, string> = {
  host: 'PATROL_HOST',
  port: 'PATROL_PORT',
  dataDir: 'PATROL_DATA_DIR',
  publicUrl: 'PATROL_PUBLIC_URL',
  tlsCertFile: 'PATROL_TLS_CERT',
  tlsKeyFile: 'PATROL_TLS_KEY',
  tls: 'PATROL_TLS',
  tlsCaFile: 'PATROL_TLS_CA',
  tlsSan: 'PATROL_TLS_SAN',
  plainPort: 'PATROL_PLAIN_PORT',
  batchIntervalSec: 'PATROL_BATCH_INTERVAL_SEC',
  agentFramesPerMin: 'PATROL_AGENT_FRAMES_PER_MIN',
  agentPointsPerMin: 'PATROL_AGENT_POINTS_PER_MIN',
  agentClockSkewSec: 'PATROL_AGENT_CLOCK_SKEW_SEC',
  agentMaxBacklogDays: 'PATROL_AGENT_MAX_BACKLOG_DAYS',
  sqliteRetentionDays: 'PATROL_SQLITE_RETENTION_DAYS',
  influxUrl: 'PATROL_INFLUX_URL',
  influxDatabase: 'PATROL_INFLUX_DATABASE',
  influxUsername: 'PATROL_INFLUX_USERNAME',
  influxPassword: 'PATROL_INFLUX_PASSWORD',
  influxRetention: 'PATROL_INFLUX_RETENTION',
  influxToken: 'PATROL_INFLUX_TOKEN',
  influxOrg: 'PATROL_INFLUX_ORG',
  influxBucket: 'PATROL_INFLUX_BUCKET',
};

export function loadCollectorConfig(file?: string, overrides: CollectorConfigInput = {}): CollectorConfig {
  const c = loadConfig(CollectorConfigSchema, { file, env: COLLECTOR_ENV, overrides });
  return { ...c, dataDir: resolve(c.dataDir) };
}
