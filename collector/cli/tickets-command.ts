import type { Command } from 'commander';
import { z } from 'zod';

/** Where the CLI writes and what environment it reads; injectable for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

const defaultIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
};

const EventSchema = z.object({ at: z.number(), actorName: z.string(), kind: z.string(), message: z.string() });
const TicketSchema = z.looseObject({
  id: z.string(),
  number: z.string(),
  customerId: z.string(),
  hostName: z.string(),
  checkName: z.string().nullable(),
  kind: z.string(),
  title: z.string(),
  summary: z.string(),
  severity: z.string(),
  state: z.string(),
  tier: z.number(),
  flapping: z.boolean(),
  openedAt: z.number(),
  responseDueAt: z.number(),
  onsiteDueAt: z.number(),
  onsiteAt: z.number().nullable(),
  restoreDueAt: z.number(),
  sla: z.object({ responseMet: z.boolean().nullable(), onsiteMet: z.boolean().nullable(), restoreMet: z.boolean().nullable(), breached: z.boolean() }),
});
type CliTicket = z.infer<typeof TicketSchema>;

class ApiError extends Error {}

interface Globals {
  url: string;
  json?: boolean;
}

function iso(t: number | null | undefined): string {
  return t ? new Date(t).toISOString().slice(0, 16).replace('T', ' ') + 'Z' : '-';
}

function slaText(t: CliTicket): string {
  if (t.sla.breached) return 'BREACHED';
  return t.sla.responseMet === null ? `respond by ${iso(t.responseDueAt)}` : 'ok';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/**
 * `patrol tickets list|show|ack|onsite|assign|comment|resolve|confirm|reopen`: a thin client of /api/tickets,
 * authenticated with HTTP Basic from PATROL_USER / PATROL_PASSWORD.
 */
export function registerTicketCommands(program: Command, io: CliIo = defaultIo): Command {
  const tickets = program
    .command('tickets')
    .description('fault tickets: list, show and act on them through the collector API')
    .option('--url <url>', 'collector URL (env PATROL_URL)', io.env.PATROL_URL ?? 'http://127.0.0.1:8080')
    .option('--json', 'print the API answer as JSON');

  async function api(cmd: Command, method: string, path: string, body?: unknown): Promise<unknown> {
    const g = cmd.optsWithGlobals<Globals>();
    const user = io.env.PATROL_USER;
    const password = io.env.PATROL_PASSWORD ?? '';
    if (!user) throw new ApiError('set PATROL_USER and PATROL_PASSWORD');
    const res = await fetch(`${g.url.replace(/\/$/, '')}/api/tickets${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((err: Error) => {
      throw new ApiError(`cannot reach ${g.url}: ${err.message}`);
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep text for the message
    }
    if (!res.ok) {
      const msg = typeof parsed === 'object' && parsed && 'error' in parsed ? String((parsed as { error: unknown }).error) : text.slice(0, 200);
      throw new ApiError(`${res.status} ${msg}`);
    }
    return parsed;
  }

  /** Run an action; API errors become a one-line message and exit code 1. */
  const run =
    <A extends unknown[]>(fn: (cmd: Command, ...args: A) => Promise<void>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      try {
        await fn(cmd, ...(args.slice(0, -2) as A));
      } catch (err) {
        if (err instanceof ApiError) cmd.error(`patrol tickets: ${err.message}`, { exitCode: 1 });
        throw err;
      }
    };

  const printTicket = (cmd: Command, answer: unknown) => {
    if (cmd.optsWithGlobals<Globals>().json) return io.out(JSON.stringify(answer, null, 2) + '\n');
    const t = TicketSchema.parse((answer as { ticket: unknown }).ticket);
    io.out(`${t.number}  ${t.severity}  ${t.state}${t.flapping ? ' (flapping)' : ''}  L${t.tier}  ${t.title}\n`);
  };

  tickets
    .command('list')
    .description('list tickets you may see')
    .option('--state <states>', 'comma-separated: open,acknowledged,in_progress,recovered,resolved,closed')
    .option('--severity <levels>', 'comma-separated: P1,P2,P3,P4')
    .option('--customer <id>')
    .option('--host <id>')
    .option('--breached', 'only tickets past an SLA deadline')
    .action(
      run(async (cmd) => {
        const o = cmd.opts<{ state?: string; severity?: string; customer?: string; host?: string; breached?: boolean }>();
        const qs = new URLSearchParams();
        if (o.state) qs.set('state', o.state);
        if (o.severity) qs.set('severity', o.severity);
        if (o.customer) qs.set('customer', o.customer);
        if (o.host) qs.set('host', o.host);
        if (o.breached) qs.set('breached', 'true');
        const answer = await api(cmd, 'GET', qs.size > 0 ? `?${qs}` : '');
        if (cmd.optsWithGlobals<Globals>().json) return io.out(JSON.stringify(answer, null, 2) + '\n');
        const list = z.object({ tickets: z.array(TicketSchema) }).parse(answer).tickets;
        if (list.length === 0) return io.out('no tickets\n');
        io.out(
          table([
            ['NUMBER', 'SEV', 'STATE', 'TIER', 'CUSTOMER', 'HOST', 'CHECK', 'OPENED', 'SLA'],
            ...list.map((t) => [
              t.number,
              t.severity,
              t.state + (t.flapping ? '*' : ''),
              `L${t.tier}`,
              t.customerId,
              t.hostName,
              t.kind === 'host-unreachable' ? '(unreachable)' : (t.checkName ?? ''),
              iso(t.openedAt),
              slaText(t),
            ]),
          ]),
        );
      }),
    );

  tickets
    .command('show <ticket>')
    .description('a ticket (id or INC number) with its events')
    .action(
      run(async (cmd, id: string) => {
        const answer = await api(cmd, 'GET', `/${encodeURIComponent(id)}`);
        if (cmd.optsWithGlobals<Globals>().json) return io.out(JSON.stringify(answer, null, 2) + '\n');
        const { ticket: t, events } = z.object({ ticket: TicketSchema, events: z.array(EventSchema) }).parse(answer);
        io.out(
          `${t.number}  ${t.title}\n` +
            `severity ${t.severity}  state ${t.state}${t.flapping ? ' (flapping)' : ''}  tier L${t.tier}\n` +
            `opened ${iso(t.openedAt)}  respond by ${iso(t.responseDueAt)}  restore by ${iso(t.restoreDueAt)}  SLA ${slaText(t)}\n` +
            `on site by ${iso(t.onsiteDueAt)}  ${t.onsiteAt === null ? 'no arrival recorded' : `arrived ${iso(t.onsiteAt)} (${t.sla.onsiteMet ? 'met' : 'missed'})`}\n` +
            `${t.summary}\n\n` +
            events.map((e) => `${iso(e.at)}  ${e.actorName.padEnd(12)} ${e.kind.padEnd(16)} ${e.message}`).join('\n') +
            '\n',
        );
      }),
    );

  const simple = (name: string, path: string, description: string, bodyOf: (args: string[], opts: Record<string, string | undefined>) => unknown) =>
    tickets
      .command(name)
      .description(description)
      .option('--note <text>', 'a note for the event log')
      .action(
        run(async (cmd, ...args: string[]) => {
          const [id, ...rest] = args;
          printTicket(cmd, await api(cmd, 'POST', `/${encodeURIComponent(id!)}/${path}`, bodyOf(rest, cmd.opts())));
        }),
      );

  simple('ack <ticket>', 'acknowledge', 'acknowledge (first response; stops escalation)', (_a, o) => ({ note: o.note ?? '' }));
  tickets
    .command('onsite <ticket>')
    .description('record that an engineer arrived on site (judged against the on-site due time)')
    .option('--at <time>', 'arrival time, ISO 8601 with a zone (e.g. 2026-03-02T11:05:00+08:00); default now')
    .option('--note <text>', 'a note for the event log')
    .action(
      run(async (cmd, id: string) => {
        const o = cmd.opts<{ at?: string; note?: string }>();
        if (o.at !== undefined && Number.isNaN(Date.parse(o.at))) throw new ApiError(`--at: not a time: ${o.at}`);
        const answer = await api(cmd, 'POST', `/${encodeURIComponent(id)}/onsite`, {
          ...(o.at !== undefined ? { at: new Date(o.at).toISOString() } : {}),
          note: o.note ?? '',
        });
        if (cmd.optsWithGlobals<Globals>().json) return io.out(JSON.stringify(answer, null, 2) + '\n');
        const t = TicketSchema.parse((answer as { ticket: unknown }).ticket);
        io.out(`${t.number}  on site ${iso(t.onsiteAt)}  ${t.sla.onsiteMet ? 'met' : 'missed'} (due ${iso(t.onsiteDueAt)})  ${t.state}\n`);
      }),
    );

  simple('assign <ticket> <userId>', 'assign', 'assign to an engineer serving the customer', ([userId]) => ({ assigneeId: userId }));
  simple('comment <ticket> <text...>', 'comment', 'add a comment', ([text]) => ({ text: Array.isArray(text) ? text.join(' ') : text }));
  simple('resolve <ticket>', 'resolve', 'mark as solved by the engineer (the customer then confirms)', (_a, o) => ({ note: o.note ?? '' }));
  simple('confirm <ticket>', 'confirm-close', 'confirm and close (customer users only)', (_a, o) => ({ note: o.note ?? '' }));
  simple('reopen <ticket> <reason...>', 'reopen', 'reopen a recovered, resolved or closed ticket', ([reason]) => ({
    reason: Array.isArray(reason) ? reason.join(' ') : reason,
  }));
  return tickets;
}
