import type { Database } from 'better-sqlite3';
import type { Migration } from '../migrate.js';

/**
 * Cases opened by people (hotline, e-mail, portal), not only by monitoring: tickets.kind gains 'manual' and
 * host_id may be empty (a caller need not name a host). SQLite cannot relax a CHECK or NOT NULL in place, so the
 * table is rebuilt; with foreign keys on (and a migration runs inside a transaction, where they cannot be turned
 * off) the tables that reference tickets are rebuilt with it, pointing at the new table, and every index is made
 * again from its stored SQL. Columns added by any migration are kept: the new table is made from the stored
 * CREATE text, not from 010's.
 *
 * New columns: channel (phone/email/onsite/portal/monitoring), caller (JSON: name, phone, e-mail), description,
 * domain (the L3 expert group), severity_proposed (a customer proposed the severity; staff have not confirmed
 * it), opened_by (the user who opened a manual case), onsite_needed (an engineer must go there: the on-site target then
 * escalates the case when it is about to be missed). Existing tickets are monitoring cases; their domain is
 * worked out from the check family as collector/tickets/case-types.ts does for new ones.
 */
export const migration: Migration = {
  version: 17,
  name: 'cases',
  sql: '',
  up(db) {
    rebuildTickets(db);
    db.exec(`
      ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'monitoring' CHECK (channel IN ('phone', 'email', 'onsite', 'portal', 'monitoring'));
      ALTER TABLE tickets ADD COLUMN caller TEXT;
      ALTER TABLE tickets ADD COLUMN description TEXT NOT NULL DEFAULT '';
      ALTER TABLE tickets ADD COLUMN domain TEXT CHECK (domain IN ('network', 'database', 'system', 'security'));
      ALTER TABLE tickets ADD COLUMN severity_proposed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE tickets ADD COLUMN opened_by TEXT;
      ALTER TABLE tickets ADD COLUMN onsite_needed INTEGER NOT NULL DEFAULT 0;
      UPDATE tickets SET domain = CASE
        WHEN kind = 'host-unreachable' OR check_id = 'ssh.reachable' THEN 'network'
        WHEN check_id LIKE 'database.%' THEN 'database'
        WHEN check_id LIKE 'network.%' OR check_id LIKE 'snmp.%' THEN 'network'
        WHEN check_id LIKE 'security.%' THEN 'security'
        ELSE 'system' END;
    `);
  },
};

function replaceOnce(sql: string, from: string, to: string): string {
  if (!sql.includes(from)) throw new Error(`migration 017: the tickets table does not contain "${from}"`);
  return sql.replace(from, to);
}

function rebuildTickets(db: Database): void {
  const stored = (name: string) => (db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) as { sql: string }).sql;
  let ticketsSql = stored('tickets');
  ticketsSql = replaceOnce(ticketsSql, "kind TEXT NOT NULL CHECK (kind IN ('check', 'host-unreachable'))", "kind TEXT NOT NULL CHECK (kind IN ('check', 'host-unreachable', 'manual'))");
  ticketsSql = replaceOnce(ticketsSql, 'host_id TEXT NOT NULL REFERENCES hosts(id)', 'host_id TEXT REFERENCES hosts(id)');
  ticketsSql = ticketsSql.replace(/^CREATE TABLE "?tickets"?/, 'CREATE TABLE tickets_new');

  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((r) => r.name);
  const referencing = (parent: string) =>
    tables.filter((t) => t !== parent && (db.pragma(`foreign_key_list("${t}")`) as Array<{ table: string }>).some((fk) => fk.table === parent));
  const children = referencing('tickets');
  for (const child of children) {
    if (referencing(child).length > 0) throw new Error(`migration 017: ${child} is referenced by other tables; rebuild it by hand`);
  }
  const indexes = db
    .prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(['tickets', ...children])) as Array<{ sql: string }>;
  const columns = (t: string) => (db.pragma(`table_info("${t}")`) as Array<{ name: string }>).map((c) => `"${c.name}"`).join(', ');

  db.exec(ticketsSql);
  db.exec(`INSERT INTO tickets_new (${columns('tickets')}) SELECT ${columns('tickets')} FROM tickets`);
  for (const child of children) {
    const sql = stored(child)
      .replace(new RegExp(`^CREATE TABLE "?${child}"?`), `CREATE TABLE "${child}_new"`)
      .replace(/REFERENCES "?tickets"?\s*\(/g, 'REFERENCES tickets_new(');
    db.exec(sql);
    db.exec(`INSERT INTO "${child}_new" (${columns(child)}) SELECT ${columns(child)} FROM "${child}"`);
    db.exec(`DROP TABLE "${child}"`);
  }
  db.exec('DROP TABLE tickets');
  // Renaming the parent rewrites the children's REFERENCES tickets_new back to tickets.
  db.exec('ALTER TABLE tickets_new RENAME TO tickets');
  for (const child of children) db.exec(`ALTER TABLE "${child}_new" RENAME TO "${child}"`);
  for (const ix of indexes) db.exec(ix.sql);
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0) throw new Error(`migration 017: ${broken.length} rows lost their reference while rebuilding tickets`);
}
