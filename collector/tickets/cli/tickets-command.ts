import type { Command } from 'commander';
import { z } from 'zod';
import { ApiError, defaultIo, runAction, ticketApi, type CliIo, type Globals } from './tickets-api.js';
import { AssigneeSchema, EventSchema, iso, maintenanceLines, MaintenanceSchema, slaText, table, TicketSchema } from './tickets-format.js';
import { registerTicketReportCommands } from './tickets-report-command.js';
import { registerTicketCaseCommands } from './tickets-open-command.js';

export type { CliIo } from './tickets-api.js';

/**
 * `patrol tickets list|show|ack|start|onsite|assign|comment|resolve|confirm|reopen|report|set-report`: a thin
 * client of /api/tickets, authenticated with HTTP Basic from PATROL_USER / PATROL_PASSWORD.
 */
export function registerTicketCommands(program: Command, io: CliIo = defaultIo): Command {
  const tickets = program
    .command('tickets')
    .description('fault tickets: list, show and act on them through the collector API')
    .option('--url <url>', 'collector URL (env PATROL_URL)', io.env.PATROL_URL ?? 'http://127.0.0.1:8080')
    .option('--json', 'print the API answer as JSON');
  const api = ticketApi(io);
  const json = (cmd: Command) => cmd.optsWithGlobals<Globals>().json === true;

  const printTicket = (cmd: Command, answer: unknown) => {
    if (json(cmd)) return io.out(JSON.stringify(answer, null, 2) + '\n');
    const t = TicketSchema.parse((answer as { ticket: unknown }).ticket);
    io.out(`${t.number}  ${t.severity}  ${t.state}${t.flapping ? ' (flapping)' : ''}  L${t.tier}  ${t.title}\n`);
  };

  tickets
    .command('list')
    .description('list tickets you may see, and the maintenance windows in force')
    .option('--state <states>', 'comma-separated: open,acknowledged,in_progress,recovered,resolved,closed')
    .option('--severity <levels>', 'comma-separated: P1,P2,P3,P4')
    .option('--customer <id>')
    .option('--host <id>')
    .option('--breached', 'only tickets past an SLA deadline')
    .action(
      runAction(async (cmd) => {
        const o = cmd.opts<{ state?: string; severity?: string; customer?: string; host?: string; breached?: boolean }>();
        const qs = new URLSearchParams();
        if (o.state) qs.set('state', o.state);
        if (o.severity) qs.set('severity', o.severity);
        if (o.customer) qs.set('customer', o.customer);
        if (o.host) qs.set('host', o.host);
        if (o.breached) qs.set('breached', 'true');
        const answer = await api.json(cmd, 'GET', qs.size > 0 ? `?${qs}` : '');
        if (json(cmd)) return io.out(JSON.stringify(answer, null, 2) + '\n');
        const parsed = z.object({ tickets: z.array(TicketSchema), maintenance: z.array(MaintenanceSchema).default([]) }).parse(answer);
        io.out(maintenanceLines(parsed.maintenance));
        const list = parsed.tickets;
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
      runAction(async (cmd, id: string) => {
        const answer = await api.json(cmd, 'GET', `/${encodeURIComponent(id)}`);
        if (json(cmd)) return io.out(JSON.stringify(answer, null, 2) + '\n');
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
        runAction(async (cmd, ...args: string[]) => {
          const [id, ...rest] = args;
          printTicket(cmd, await api.json(cmd, 'POST', `/${encodeURIComponent(id!)}/${path}`, bodyOf(rest, cmd.opts())));
        }),
      );

  simple('ack <ticket>', 'acknowledge', 'acknowledge (first response; stops escalation)', (_a, o) => ({ note: o.note ?? '' }));
  simple('start <ticket>', 'start', 'start work: in progress (a first response too, if nobody acknowledged)', (_a, o) => ({ note: o.note ?? '' }));
  tickets
    .command('onsite <ticket>')
    .description('record that an engineer arrived on site (judged against the on-site due time)')
    .option('--at <time>', 'arrival time, ISO 8601 with a zone (e.g. 2026-03-02T11:05:00+08:00); default now')
    .option('--note <text>', 'a note for the event log')
    .action(
      runAction(async (cmd, id: string) => {
        const o = cmd.opts<{ at?: string; note?: string }>();
        if (o.at !== undefined && Number.isNaN(Date.parse(o.at))) throw new ApiError(`--at: not a time: ${o.at}`);
        const answer = await api.json(cmd, 'POST', `/${encodeURIComponent(id)}/onsite`, {
          ...(o.at !== undefined ? { at: new Date(o.at).toISOString() } : {}),
          note: o.note ?? '',
        });
        if (json(cmd)) return io.out(JSON.stringify(answer, null, 2) + '\n');
        const t = TicketSchema.parse((answer as { ticket: unknown }).ticket);
        io.out(`${t.number}  on site ${iso(t.onsiteAt)}  ${t.sla.onsiteMet ? 'met' : 'missed'} (due ${iso(t.onsiteDueAt)})  ${t.state}\n`);
      }),
    );

  tickets
    .command('assign <ticket> <user>')
    .description('assign to an engineer serving the customer, or an admin (username or user id)')
    .action(
      runAction(async (cmd, id: string, user: string) => {
        const path = `/${encodeURIComponent(id)}`;
        const staff = z.object({ assignees: z.array(AssigneeSchema) }).parse(await api.json(cmd, 'GET', `${path}/assignees`)).assignees;
        const who = staff.find((s) => s.username === user) ?? staff.find((s) => s.id === user);
        if (!who) throw new ApiError(`no engineer or admin "${user}" may take this ticket; choose one of: ${staff.map((s) => s.username).join(', ') || '(nobody)'}`);
        printTicket(cmd, await api.json(cmd, 'POST', `${path}/assign`, { assigneeId: who.id }));
      }),
    );
  simple('comment <ticket> <text...>', 'comment', 'add a comment', ([text]) => ({ text: Array.isArray(text) ? text.join(' ') : text }));
  simple('resolve <ticket>', 'resolve', 'mark as solved by the engineer (the customer then confirms)', (_a, o) => ({ note: o.note ?? '' }));
  simple('confirm <ticket>', 'confirm-close', 'confirm and close (customer users only)', (_a, o) => ({ note: o.note ?? '' }));
  simple('reopen <ticket> <reason...>', 'reopen', 'reopen a recovered, resolved or closed ticket', ([reason]) => ({
    reason: Array.isArray(reason) ? reason.join(' ') : reason,
  }));
  registerTicketReportCommands(tickets, api, io);
  registerTicketCaseCommands(tickets, api, io);
  return tickets;
}
