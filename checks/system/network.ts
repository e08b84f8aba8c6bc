import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import type { InterfaceCounters } from './probe.js';
import type { FieldsOf } from '../metric-declaration.js';
import { NET } from './metrics.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';

interface Snapshot {
  at: number;
  ifaces: Record<string, InterfaceCounters>;
}

/**
 * Bytes/s, errors/s and drops/s per interface from counters between two runs. A counter that went
 * backwards (reboot, driver reload, 32-bit wrap) gives no rate for that run instead of a negative one.
 */
export default defineCheck({
  id: 'system.network',
  title: { en: 'Network interfaces', zh: '网络接口' },
  params: z.object({
    /** Errors + drops per second on one interface. */
    warnErrorsPerSec: z.number().nonnegative().default(1),
    critErrorsPerSec: z.number().nonnegative().default(10),
    includeLoopback: z.boolean().default(false),
    /** Interfaces that must be up; CRITICAL when one is down. */
    expectUp: z.array(z.string()).default([]),
  }),
  async run(ctx, p) {
    const now = ctx.now();
    const list = (await ctx.system.interfaces()).filter((i) => p.includeLoopback || i.iface !== 'lo');
    const prev = ctx.state.get<Snapshot>('snapshot');
    ctx.state.set('snapshot', { at: now, ifaces: Object.fromEntries(list.map((i) => [i.iface, i])) } satisfies Snapshot);
    const elapsedSec = prev ? (now - prev.at) / 1000 : 0;
    const statuses: Status[] = [];
    const problems: CheckMessagePart[] = [];
    let totalRx = 0;
    let totalTx = 0;
    const metrics = list.map((i) => {
      const fields: FieldsOf<typeof NET> = {
        rx_bytes: i.rxBytes,
        tx_bytes: i.txBytes,
        rx_errors: i.rxErrors,
        tx_errors: i.txErrors,
        rx_dropped: i.rxDropped,
        tx_dropped: i.txDropped,
      };
      if (i.up !== null) fields.up = i.up ? 1 : 0;
      const before = prev?.ifaces[i.iface];
      if (before && elapsedSec > 0) {
        const rate = (a: number, b: number) => (a >= b ? (a - b) / elapsedSec : null);
        const rx = rate(i.rxBytes, before.rxBytes);
        const tx = rate(i.txBytes, before.txBytes);
        const errs = rate(i.rxErrors + i.txErrors + i.rxDropped + i.txDropped, before.rxErrors + before.txErrors + before.rxDropped + before.txDropped);
        if (rx !== null) { fields.rx_bytes_per_sec = Math.round(rx); totalRx += rx; }
        if (tx !== null) { fields.tx_bytes_per_sec = Math.round(tx); totalTx += tx; }
        if (errs !== null) {
          fields.errors_per_sec = Math.round(errs * 1000) / 1000;
          const s = statusAbove(errs, p.warnErrorsPerSec, p.critErrorsPerSec);
          statuses.push(s);
          if (s !== 'OK') problems.push(part('system.network.errors', { iface: i.iface, perSec: errs }));
        }
      }
      if (p.expectUp.includes(i.iface) && i.up === false) {
        statuses.push('CRITICAL');
        problems.push(part('system.network.down', { iface: i.iface }));
      }
      return { measurement: NET.name, tags: { iface: i.iface }, fields };
    });
    for (const name of p.expectUp) {
      if (!list.some((i) => i.iface === name)) {
        statuses.push('CRITICAL');
        problems.push(part('system.network.missing', { iface: name }));
      }
    }
    const status = worstStatus(statuses);
    const said = problems.length
      ? say('system.network.problems', {}, problems)
      : prev
        ? say('system.network.ok', { count: list.length, rxBytesPerSec: totalRx, txBytesPerSec: totalTx })
        : say('system.network.okFirst', { count: list.length });
    return { status, ...said, metrics };
  },
});
