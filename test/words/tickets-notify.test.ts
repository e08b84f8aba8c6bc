import { describe, expect, test } from 'vitest';
import { say } from '../../checks/system/messages.js';
import { TicketStateEngine } from '../../collector/tickets/state-engine.js';
import { listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { textOf, type NotificationMessage } from '../../collector/notify/message.js';
import { chatSafe } from '../../collector/notify/kinds/index.js';
import type { NotificationItem } from '../../collector/notify/outbox.js';
import type { CheckResult } from '../../shared/check-result.js';
import { buildFaultDocument } from '../../collector/reports/fault-document.js';
import { renderDocumentMarkdown } from '../../collector/reports/render-markdown.js';
import { MIN, makeWorld } from '../tickets/world.js';

/** A disk result as the agent sends it: the English summary and its message. */
function disk(status: CheckResult['status'], at: number, pct: number): CheckResult {
  const said = status === 'OK' ? say('system.disk.ok', { count: 1, mount: '/', pct }) : say('system.disk.above', {}, [{ key: 'system.disk.mount', values: { mount: '/', pct } }]);
  return { name: 'system.disk', checkId: 'system.disk', status, ...said, startedAt: at, durationMs: 5, metrics: [] };
}

describe('a ticket keeps the message of the result that set its summary', () => {
  test('opened, updated and recovered: the ticket, its timeline and its notifications render in zh', () => {
    const w = makeWorld();
    const engine = new TicketStateEngine({ db: w.db, now: w.clock.now, reconnectGraceMs: 0 });
    const send = (r: CheckResult) => engine.onResults({ hostId: w.acmeHost.id, customerId: w.acmeHost.customerId }, [r], w.clock.now());
    for (const pct of [95.5, 96.25, 97]) {
      w.clock.advance(MIN);
      send(disk('CRITICAL', w.clock.now(), pct));
    }
    let [ticket] = listTickets(w.db, { now: w.clock.now() });
    expect(ticket).toBeDefined();
    expect(ticket!.summary).toBe('/ 97.0% above threshold');
    expect(ticket!.summaryMessage).toMatchObject({ key: 'system.disk.above', parts: [{ values: { pct: 97 } }] });
    const results = listEvents(w.db, ticket!.id).filter((e) => e.kind === 'result');
    expect(results.at(-1)!.data.message).toMatchObject({ key: 'system.disk.above' });

    // The queued problem notification carries the message; a zh channel reads it in Chinese, an en one in English.
    const item = JSON.parse((w.db.prepare('SELECT item FROM notification_outbox ORDER BY id LIMIT 1').get() as { item: string }).item) as NotificationItem;
    expect(item.summaryMessage?.key).toBe('system.disk.above');
    const message: NotificationMessage = { id: 'm1', customerId: 'acme', customerName: 'ACME', hostId: w.acmeHost.id, hostName: w.acmeHost.name, tier: 1, items: [item], recipients: [], createdAt: w.clock.now() };
    expect(textOf(message, 'zh')).toMatch(/ \/ \d+\.\d% 超过阈值$/m);
    expect(textOf(message, 'en')).toMatch(/ \/ \d+\.\d% above threshold$/m);
    expect(textOf(message, 'zh', (text) => chatSafe('wecom', text))).toContain('超过阈值');

    // The fault report: the opening's result on its timeline and the last result among the facts, in the report's language.
    const report = (lang: 'zh' | 'en') => renderDocumentMarkdown(buildFaultDocument(w.db, ticket!.id, { now: w.clock.now(), lang })!);
    const zhReport = report('zh');
    expect(zhReport).toMatch(/\| 发现故障并开单 \| \/ 96\.3% 超过阈值 \|/);
    expect(zhReport).toMatch(/\| 最近检查结果 \| \/ 97\.0% 超过阈值 \|/);
    expect(zhReport).not.toContain('above threshold');
    expect(report('en')).toContain('| Last check result | / 97.0% above threshold |');

    // Recovery: the summary and its message move together, and the timeline's recovery keeps the message.
    w.clock.advance(MIN);
    send(disk('OK', w.clock.now(), 40));
    [ticket] = listTickets(w.db, { now: w.clock.now() });
    expect(ticket!.summary).toBe('1 file system OK, fullest / 40%');
    expect(ticket!.summaryMessage?.key).toBe('system.disk.ok');
    expect(listEvents(w.db, ticket!.id).find((e) => e.kind === 'recovered')!.data.message).toMatchObject({ key: 'system.disk.ok' });

    // An older agent's result without a message: the summary changes and the old message must not stay beside it.
    w.clock.advance(MIN);
    const { message: _dropped, ...plain } = disk('CRITICAL', w.clock.now(), 99);
    for (let i = 0; i < 3; i++) {
      w.clock.advance(MIN);
      send({ ...plain, startedAt: w.clock.now(), summary: 'disk full (old agent)' });
    }
    [ticket] = listTickets(w.db, { now: w.clock.now() });
    expect(ticket!.summary).toBe('disk full (old agent)');
    expect(ticket!.summaryMessage).toBeUndefined();
  });

  test('an agent that stops reporting: the host ticket says so in words of either language', () => {
    const w = makeWorld();
    const engine = new TicketStateEngine({ db: w.db, now: w.clock.now, reconnectGraceMs: 0 });
    w.seen(w.acmeHost);
    w.clock.advance(60 * MIN);
    engine.tick(w.clock.now());
    const ticket = listTickets(w.db, { now: w.clock.now() }).find((t) => t.kind === 'host-unreachable');
    expect(ticket?.summary).toMatch(/^no data since \d{4}-\d\d-\d\dT.*Z \(3 x \d+ s\)$/);
    expect(ticket?.summaryMessage?.key).toBe('host.silent');
  });
});
