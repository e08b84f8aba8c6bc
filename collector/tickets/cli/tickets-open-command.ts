import type { Command } from 'commander';
import { ApiError, runAction, type CliIo, type Globals, type TicketApi } from './tickets-api.js';
import { iso, TicketSchema } from './tickets-format.js';

const CHANNELS = ['phone', 'email', 'onsite', 'portal', 'monitoring'];
const SEVERITIES = ['P1', 'P2', 'P3', 'P4'];
const DOMAINS = ['network', 'database', 'system', 'security'];
const TIERS = ['2', '3'];

/**
 * `patrol tickets open` records a case reported by a person (the hotline: who called, on which number, about
 * what); `escalate`, `severity` and `domain` steer a case; `rate` is the customer's satisfaction score. Thin
 * clients of /api/tickets like the other ticket commands.
 */
export function registerTicketCaseCommands(tickets: Command, api: TicketApi, io: CliIo): void {
  const json = (cmd: Command) => cmd.optsWithGlobals<Globals>().json === true;
  const printTicket = (cmd: Command, answer: unknown) => {
    if (json(cmd)) return io.out(JSON.stringify(answer, null, 2) + '\n');
    const t = TicketSchema.parse((answer as { ticket: unknown }).ticket);
    io.out(`${t.number}  ${t.severity}  ${t.state}  L${t.tier}  ${t.title}  (respond by ${iso(t.responseDueAt)}, restore by ${iso(t.restoreDueAt)})\n`);
  };
  const oneOf = (name: string, value: string | undefined, allowed: string[]) => {
    if (value !== undefined && !allowed.includes(value)) throw new ApiError(`${name}: one of ${allowed.join(', ')}, not ${value}`);
    return value;
  };

  tickets
    .command('open')
    .description('open a case reported by a person (phone, e-mail, on site, portal)')
    .requiredOption('--customer <id>', 'the customer the case is for')
    .requiredOption('--channel <channel>', CHANNELS.join('|'))
    .requiredOption('--caller <name>', "the caller's name")
    .option('--phone <number>', "the caller's phone number")
    .option('--email <address>', "the caller's e-mail (they get the case number by mail)")
    .requiredOption('--title <text>', 'one line: what is wrong')
    .option('--description <text>', 'what the caller said', '')
    .option('--host <host>', 'a host of the customer, by name or id')
    .option('--severity <level>', 'P1|P2|P3|P4 (engineers set it; a customer user proposes it)')
    .option('--domain <domain>', DOMAINS.join('|'))
    .option('--onsite-needed', 'someone must go there (the on-site target then escalates the case)')
    .action(
      runAction(async (cmd) => {
        const o = cmd.opts<{ customer: string; channel: string; caller: string; phone?: string; email?: string; title: string; description: string; host?: string; severity?: string; domain?: string; onsiteNeeded?: boolean }>();
        oneOf('--channel', o.channel, CHANNELS);
        oneOf('--severity', o.severity, SEVERITIES);
        oneOf('--domain', o.domain, DOMAINS);
        const body = {
          customerId: o.customer,
          channel: o.channel,
          caller: { name: o.caller, ...(o.phone ? { phone: o.phone } : {}), ...(o.email ? { email: o.email } : {}) },
          title: o.title,
          description: o.description,
          ...(o.host ? { hostId: o.host } : {}),
          ...(o.severity ? { severity: o.severity } : {}),
          ...(o.domain ? { domain: o.domain } : {}),
          onsiteNeeded: o.onsiteNeeded === true,
        };
        printTicket(cmd, await api.json(cmd, 'POST', '', body));
      }),
    );

  tickets
    .command('escalate <ticket> <tier> <reason...>')
    .description('escalate a case to L2 or L3, with the reason')
    .action(
      runAction(async (cmd, id: string, tier: string, reason: string[]) => {
        oneOf('tier', tier.replace(/^L/i, ''), TIERS);
        printTicket(cmd, await api.json(cmd, 'POST', `/${encodeURIComponent(id)}/escalate`, { tier: Number(tier.replace(/^L/i, '')), reason: reason.join(' ') }));
      }),
    );
  tickets
    .command('severity <ticket> <level> <reason...>')
    .description('set (or confirm) the severity of a case, with the reason; the SLA clocks follow')
    .action(
      runAction(async (cmd, id: string, level: string, reason: string[]) => {
        oneOf('level', level, SEVERITIES);
        printTicket(cmd, await api.json(cmd, 'POST', `/${encodeURIComponent(id)}/severity`, { severity: level, reason: reason.join(' ') }));
      }),
    );
  tickets
    .command('domain <ticket> <domain>')
    .description(`the expert domain an L3 escalation goes to: ${DOMAINS.join('|')}`)
    .action(
      runAction(async (cmd, id: string, domain: string) => {
        oneOf('domain', domain, DOMAINS);
        printTicket(cmd, await api.json(cmd, 'POST', `/${encodeURIComponent(id)}/domain`, { domain }));
      }),
    );
  tickets
    .command('rate <ticket> <score> [remark...]')
    .description('rate a closed case 1-5 (customer users)')
    .action(
      runAction(async (cmd, id: string, score: string, remark: string[] = []) => {
        if (!/^[1-5]$/.test(score)) throw new ApiError(`score: 1 to 5, not ${score}`);
        printTicket(cmd, await api.json(cmd, 'POST', `/${encodeURIComponent(id)}/rating`, { score: Number(score), remark: remark.join(' ') }));
      }),
    );
}
