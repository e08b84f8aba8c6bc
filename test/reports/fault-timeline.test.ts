import { describe, expect, test } from 'vitest';
import { customerTimeline } from '../../collector/tickets/fault-report.js';
import type { TicketEvent } from '../../collector/tickets/ticket-store.js';

/**
 * The fault report's timeline is what the customer may read: service-desk business (who was on duty, reminders,
 * flapping, assignment, machine log lines) never shows, whatever event kinds the desk records.
 */
const people: Record<string, { name: string; role: 'engineer' | 'customer' }> = { eng: { name: '李明', role: 'engineer' }, cust: { name: '陈建国', role: 'customer' } };
const who = (id: string | null) => (id ? (people[id] ?? null) : null);
let seq = 0;
const ev = (kind: string, actorId: string | null, message = '', data: Record<string, unknown> = {}): TicketEvent => ({
  id: ++seq, ticketId: 't', customerId: 'c', at: seq * 60_000, actorId, actorName: actorId ? (people[actorId]?.name ?? actorId) : 'system', kind, message, data,
});

describe("the customer's timeline", () => {
  test('keeps their kinds of event with their words, and drops the desk-internal ones and machine lines', () => {
    const got = customerTimeline(
      [
        ev('opened', null, 'CPU 97% used'),
        ev('notify-fallback', null, 'nobody on duty at L1, L2, L3; none of them has an e-mail address'),
        ev('assigned', 'eng', '', { from: null, to: 'eng' }),
        ev('acknowledged', 'eng', 'took the ticket'),
        ev('escalated', null, 'L1 -> L2: not acknowledged by 2026-07-21T03:30:00.000Z', { from: 1, to: 2 }),
        ev('severity-changed', 'eng', 'one teller only', { from: 'P2', to: 'P3' }),
        ev('comment', 'eng', 'internal: vendor left debug on'),
        ev('comment', 'eng', '正在扩容', { public: true }),
        ev('comment', null, '来自客户邮件', { via: 'email', from: 'it@demo.example' }),
        ev('flapping-started', null, 'flapping'),
        ev('customer-reminded', null, 'the customer was reminded to confirm the solved case'),
        ev('resolved', null, 'host retired'),
        ev('reopened', 'cust', '又出现了'),
        ev('resolved', 'eng', '已更换网卡'),
        ev('closed-by-contract', null, 'closed after 7 days'),
        ev('rated', 'cust', '满意', { score: 4 }),
      ],
      who,
    );
    expect(got.map((e) => [e.kind, e.actor.role, e.note, e.tier ?? e.severity ?? e.score ?? null])).toEqual([
      ['opened', 'system', '', null],
      ['acknowledged', 'engineer', '', null],
      ['escalated', 'system', '', 2],
      ['severity', 'engineer', '', { from: 'P2', to: 'P3' }],
      ['comment', 'engineer', '正在扩容', null],
      ['comment', 'customer', '来自客户邮件', null],
      ['resolved', 'system', '', null],
      ['reopened', 'customer', '又出现了', null],
      ['resolved', 'engineer', '已更换网卡', null],
      ['closed-by-contract', 'system', '', null],
      ['rated', 'customer', '满意', 4],
    ]);
    expect(JSON.stringify(got)).not.toMatch(/on duty|e-mail address|took the ticket|not acknowledged|internal|flapping|reminded|host retired/);
  });
});
