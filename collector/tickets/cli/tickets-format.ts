import { z } from 'zod';

/** What the ticket commands read from the API answers (loose: the API may add fields). */
export const EventSchema = z.object({ at: z.number(), actorName: z.string(), kind: z.string(), message: z.string() });
export const TicketSchema = z.looseObject({
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
  sla: z.looseObject({
    responseMet: z.boolean().nullable(),
    responseNotApplicable: z.boolean().optional(),
    onsiteMet: z.boolean().nullable(),
    restoreMet: z.boolean().nullable(),
    breached: z.boolean(),
  }),
});
export type CliTicket = z.infer<typeof TicketSchema>;

export const MaintenanceSchema = z.looseObject({
  scope: z.enum(['customer', 'host', 'tag']),
  customerId: z.string(),
  customerName: z.string().optional(),
  hostId: z.string().nullable(),
  hostName: z.string().nullable().optional(),
  tag: z.string().nullable(),
  until: z.number().nullable().optional(),
  endsAt: z.number().nullable(),
  reason: z.string(),
});
export type CliMaintenance = z.infer<typeof MaintenanceSchema>;

export const AssigneeSchema = z.object({ id: z.string(), username: z.string(), name: z.string(), role: z.string() });

export function iso(t: number | null | undefined): string {
  return t ? new Date(t).toISOString().slice(0, 16).replace('T', ' ') + 'Z' : '-';
}

export function slaText(t: CliTicket): string {
  if (t.sla.breached) return 'BREACHED';
  if (t.sla.responseNotApplicable) return 'ok (no response needed)';
  return t.sla.responseMet === null ? `respond by ${iso(t.responseDueAt)}` : 'ok';
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** "maintenance now: host db01 until 2026-03-02 04:00Z (patching)": the windows that hold back new tickets. */
export function maintenanceLines(windows: readonly CliMaintenance[]): string {
  return windows
    .map((m) => {
      const customer = m.customerName ?? m.customerId;
      const what = m.scope === 'host' ? `host ${m.hostName ?? m.hostId ?? '?'}` : m.scope === 'tag' ? `tag ${m.tag ?? '?'} (${customer})` : `customer ${customer}`;
      const until = m.until ?? m.endsAt;
      return `maintenance now: ${what}${until ? ` until ${iso(until)}` : ''}${m.reason ? ` (${m.reason})` : ''}\n`;
    })
    .join('');
}
