import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database.js';
import { getHost, hostsLastSeen, type Host } from '../db/hosts.js';
import type { IngestListener, IngestedHost } from '../ingest/listener.js';
import type { CheckResultHead } from '../../shared/check-result.js';
import { worstStatus, type Status } from '../../shared/status.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { getContract, type StoredContract } from '../contracts/contract-store.js';
import { FLAP_WINDOW, nextFlapping } from './flapping.js';
import { escalate, lastRestoredAt, markRecovered, openTicket, raiseSeverity, reopenTicket } from './lifecycle.js';
import { activeWindowsForHost } from '../maintenance/window-store.js';
import { hostProblemKey, isReachabilityResult, reachabilityFailing } from './reachability.js';
import { announceHeldReopens, reopenMessageAllowed } from './reopen-messages.js';
import { isMoreSevere, severityOf } from './severity.js';
import { runConsentRules } from './consent.js';
import { remindContractEnds } from './contract-ending.js';
import { escalateBeforeTargets } from './target-escalation.js';
import { ACTIVE_STATES, addEvent, findUnclosedTicket, getTicket, unclosedTicketStates, updateTicket, SYSTEM_ACTOR, type Ticket } from './ticket-store.js';
import { say as sayCollector } from '../../checks/collector-messages.js';

/** What a 'result' event keeps: the status, when it ran, and its message for the timeline in zh or en. */
function resultData(r: CheckResultHead): Record<string, unknown> {
  return { status: r.status, startedAt: r.startedAt, ...(r.message ? { message: r.message } : {}) };
}

export interface StateEngineOptions {
  db: Db;
  now: () => number;
  log?: Logger;
  /** The host's check interval; silence is judged at 3 intervals. 60 s when not told. */
  /** The host's shortest check interval; `fresh` asks past any cache (a ticket is about to open or recover). */
  hostIntervalSec?: (hostId: string, fresh?: boolean) => number | undefined;
  /** After a reconnect (or a collector start) gaps are not judged for this long. 2 min by default. */
  reconnectGraceMs?: number;
}

interface AlertState {
  lastStatus: Status;
  consecutiveBad: number;
  history: Status[];
  flapping: boolean;
  lastResultAt: number;
  ticketId: string | null;
}

interface AlertRow {
  last_status: Status;
  consecutive_bad: number;
  history: string;
  flapping: number;
  last_result_at: number;
  ticket_id: string | null;
}

/** 3 missed intervals: one late batch is normal, three is an agent that is gone (design.md). */
const SILENT_AFTER_INTERVALS = 3;
const DEFAULT_INTERVAL_SEC = 60;

/**
 * Turns the stream of check results into tickets: one per problem, flapping marked not multiplied,
 * root cause (host unreachable) over symptoms, maintenance respected. Suppression only ever blocks
 * opening (and reopening) a ticket; recoveries always go through. A host is unreachable when its agent
 * went silent (judged by tick) or, for an agentless host, when the collector's own reachability result
 * (ssh.reachable) is not OK: both give the one host ticket, keyed `host:<id>`.
 */
export class TicketStateEngine implements IngestListener {
  private readonly db: Db;
  private readonly log: Logger;
  private readonly graceMs: number;
  /** Per host: silence is not judged before this instant (set on reconnect). */
  private readonly graceUntil = new Map<string, number>();
  private readonly startedAt: number;

  constructor(private readonly opts: StateEngineOptions) {
    this.db = opts.db;
    this.log = opts.log ?? createLogger('tickets.engine');
    this.graceMs = opts.reconnectGraceMs ?? 120_000;
    this.startedAt = opts.now();
  }

  onResults(ingested: IngestedHost, results: readonly CheckResultHead[], now: number): void {
    const host = getHost(this.db, ingested.hostId);
    if (!host) {
      this.log.warn({ host: ingested.hostId }, 'results for an unknown host ignored');
      return;
    }
    // At the same instant the reachability result goes first: it decides whether the checks' failures are news.
    const ordered = [...results].sort((a, b) => a.startedAt - b.startedAt || Number(isReachabilityResult(b)) - Number(isReachabilityResult(a)));
    const contract = getContract(this.db, host.customerId);
    this.db.transaction(() => {
      for (const r of ordered) this.onResult(host, contract, r, now);
    })();
  }

  onAgentConnected(host: IngestedHost, now: number): void {
    this.graceUntil.set(host.hostId, now + this.graceMs);
  }

  onAgentDisconnected(host: IngestedHost, now: number): void {
    // Not a fault by itself: silence is judged from last_seen_at by tick().
    this.log.debug({ host: host.hostId, at: now }, 'agent disconnected');
  }

  /** Host silence, escalation and auto-close; the collector calls this every few seconds. */
  tick(now: number = this.opts.now()): void {
    this.db.transaction(() => {
      this.judgeSilence(now);
      this.escalateOverdue(now);
      escalateBeforeTargets(this.db, now);
      runConsentRules(this.db, now);
      remindContractEnds(this.db, now);
      announceHeldReopens(this.db, now);
    })();
  }

  private readonly statements = new Map<string, Statement<unknown[]>>();

  /** Prepared once: these run for every ingested result. */
  private stmt(sql: string): Statement<unknown[]> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private loadAlert(hostId: string, name: string): AlertState | undefined {
    const r = this.stmt('SELECT * FROM alert_states WHERE host_id = ? AND name = ?').get(hostId, name) as AlertRow | undefined;
    if (!r) return undefined;
    return {
      lastStatus: r.last_status,
      consecutiveBad: r.consecutive_bad,
      history: JSON.parse(r.history) as Status[],
      flapping: r.flapping === 1,
      lastResultAt: r.last_result_at,
      ticketId: r.ticket_id,
    };
  }

  private saveAlert(host: Host, name: string, s: AlertState): void {
    this
      .stmt(
        `INSERT INTO alert_states (host_id, name, customer_id, last_status, consecutive_bad, history, flapping, last_result_at, ticket_id)
         VALUES (@hostId, @name, @customerId, @lastStatus, @consecutiveBad, @history, @flapping, @lastResultAt, @ticketId)
         ON CONFLICT(host_id, name) DO UPDATE SET last_status = excluded.last_status, consecutive_bad = excluded.consecutive_bad,
           history = excluded.history, flapping = excluded.flapping, last_result_at = excluded.last_result_at, ticket_id = excluded.ticket_id`,
      )
      .run({
        hostId: host.id,
        name,
        customerId: host.customerId,
        lastStatus: s.lastStatus,
        consecutiveBad: s.consecutiveBad,
        history: JSON.stringify(s.history),
        flapping: s.flapping ? 1 : 0,
        lastResultAt: s.lastResultAt,
        ticketId: s.ticketId,
      });
  }

  private onResult(host: Host, contract: StoredContract, r: CheckResultHead, now: number): void {
    const prev = this.loadAlert(host.id, r.name);
    // A replayed spool result older than what we already judged is history, not news.
    if (prev && r.startedAt <= prev.lastResultAt) return;
    const reach = isReachabilityResult(r);
    if (!reach && r.status === 'UNKNOWN' && reachabilityFailing(this.db, host.id)) {
      this.notRunWhileUnreachable(host, r, prev, now);
      return;
    }
    const bad = r.status !== 'OK';
    const history = [...(prev?.history ?? []), r.status].slice(-FLAP_WINDOW);
    const flapping = nextFlapping(prev?.flapping ?? false, history, contract);
    const state: AlertState = {
      lastStatus: r.status,
      consecutiveBad: bad ? (prev?.consecutiveBad ?? 0) + 1 : 0,
      history,
      flapping,
      lastResultAt: r.startedAt,
      ticketId: prev?.ticketId ?? null,
    };
    // A child logger per result would cost more than judging the result; made only when there is news.
    const log = { info: (o: object, m: string) => this.log.info({ host: host.id, check: r.name, ...o }, m), debug: (o: object, m: string) => this.log.debug({ host: host.id, check: r.name, ...o }, m) };

    // The host's one unreachable ticket, whether the silence rule or an earlier reachability result opened it.
    let ticket = reach
      ? findUnclosedTicket(this.db, hostProblemKey(host.id), now)
      : state.ticketId
        ? getTicket(this.db, state.ticketId, { now })
        : undefined;
    if (ticket?.state === 'closed') ticket = undefined;

    if (ticket && ACTIVE_STATES.includes(ticket.state)) {
      this.updateActive(host, ticket, r, state, now);
    } else if (bad || flapping) {
      const persistent = state.consecutiveBad >= contract.openAfter || (flapping && !(prev?.flapping ?? false));
      if (persistent) {
        const blockedBy = this.suppression(host, now, reach);
        if (blockedBy) {
          log.debug({ blockedBy }, 'ticket held back');
        } else {
          // The window runs from the latest recovery or resolution, not the first one of the ticket.
          const restored = ticket ? lastRestoredAt(ticket) : null;
          const recurrence = ticket && restored !== null && now - restored <= contract.reopenWindowMin * 60_000;
          // A flap can start on an OK result: the ticket carries the worst status of the window.
          const worstSeen = bad ? r.status : worstStatus(history);
          const worst: Exclude<Status, 'OK'> = worstSeen === 'OK' ? 'WARNING' : worstSeen;
          if (ticket && recurrence) {
            const announce = reopenMessageAllowed(this.db, ticket.id, now, contract.reopenNotifyMin);
            const reason = `recurred: ${r.summary}${announce || ticket.flapping ? '' : ' (message held back: reopened again within the notification limit)'}`;
            ticket = reopenTicket(this.db, ticket, SYSTEM_ACTOR, now, reason, !ticket.flapping && announce);
            this.syncResult(ticket, r, flapping, now);
          } else {
            ticket = openTicket(this.db, {
              host,
              kind: reach ? 'host-unreachable' : 'check',
              checkName: reach ? null : r.name,
              checkId: reach ? null : r.checkId,
              status: worst,
              summary: r.summary,
              ...(r.message ? { summaryMessage: r.message } : {}),
              severity: severityOf(worst, host.criticality),
              flapping,
              now,
            });
            log.info({ ticket: ticket.number }, 'ticket opened');
          }
          state.ticketId = ticket.id;
        }
      }
    }
    this.saveAlert(host, r.name, state);
  }

  /**
   * A check the poller could not run because the host is unreachable: the host ticket carries the problem.
   * Not counted towards opening (or flapping); a live ticket of the check notes it and keeps its status.
   */
  private notRunWhileUnreachable(host: Host, r: CheckResultHead, prev: AlertState | undefined, now: number): void {
    const state: AlertState = prev ? { ...prev, lastResultAt: r.startedAt } : { lastStatus: 'OK', consecutiveBad: 0, history: [], flapping: false, lastResultAt: r.startedAt, ticketId: null };
    const ticket = state.ticketId ? getTicket(this.db, state.ticketId, { now }) : undefined;
    if (ticket && ACTIVE_STATES.includes(ticket.state)) {
      addEvent(this.db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'result', message: r.summary, data: resultData(r) });
    }
    this.saveAlert(host, r.name, state);
  }

  /** A result for a problem that has a live ticket: add it to that ticket, never open another. */
  private updateActive(host: Host, ticket: Ticket, r: CheckResultHead, state: AlertState, now: number): void {
    if (state.flapping !== ticket.flapping) {
      updateTicket(this.db, ticket.id, { flapping: state.flapping }, now);
      addEvent(this.db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: state.flapping ? 'flapping-started' : 'flapping-stopped' });
      ticket = getTicket(this.db, ticket.id, { now })!;
    }
    if (r.status !== 'OK') {
      updateTicket(this.db, ticket.id, { status: r.status, summary: r.summary, summaryMessage: r.message ?? null, occurrences: ticket.occurrences + 1 }, now);
      addEvent(this.db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'result', message: r.summary, data: resultData(r) });
      const severity = severityOf(r.status, host.criticality);
      if (isMoreSevere(severity, ticket.severity)) raiseSeverity(this.db, getTicket(this.db, ticket.id, { now })!, severity, now);
      return;
    }
    // OK while flapping is not a recovery: the ticket stays open until the flapping has calmed down.
    if (state.flapping) {
      addEvent(this.db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'result', message: r.summary, data: resultData(r) });
      return;
    }
    updateTicket(this.db, ticket.id, { status: 'OK', summary: r.summary, summaryMessage: r.message ?? null }, now);
    markRecovered(this.db, getTicket(this.db, ticket.id, { now })!, now, ticket.kind === 'host-unreachable' ? `host reachable again: ${r.summary}` : r.summary);
  }

  private syncResult(ticket: Ticket, r: CheckResultHead, flapping: boolean, now: number): void {
    updateTicket(this.db, ticket.id, { status: r.status, summary: r.summary, summaryMessage: r.message ?? null, flapping, occurrences: ticket.occurrences + 1 }, now);
    // Flapping can start on the very result that reopens the ticket: the timeline says so as well.
    if (flapping !== ticket.flapping) addEvent(this.db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: flapping ? 'flapping-started' : 'flapping-stopped' });
  }

  /** Why a new ticket of this host may not open now, if it may not. The host ticket itself yields only to maintenance. */
  private suppression(host: Host, now: number, isHostProblem = false): 'maintenance' | 'host-unreachable' | undefined {
    if (activeWindowsForHost(this.db, host, now).length > 0) return 'maintenance';
    if (isHostProblem) return undefined;
    const parent = findUnclosedTicket(this.db, hostProblemKey(host.id), now);
    if (parent && ACTIVE_STATES.includes(parent.state)) return 'host-unreachable';
    if (reachabilityFailing(this.db, host.id)) return 'host-unreachable';
    return undefined;
  }

  private judgeSilence(now: number): void {
    // Read light and once: every seen host's last-seen time, and the state of each host's newest unclosed problem
    // ticket; a host and its ticket are read in full only for the few that open, reopen or recover one.
    const unclosed = unclosedTicketStates(this.db, hostProblemKey('')); // hostProblemKey(''): every host problem's prefix
    for (const seen of hostsLastSeen(this.db)) {
      const lastSeenAt = seen.lastSeenAt;
      const silentWith = (sec: number) => now - lastSeenAt > SILENT_AFTER_INTERVALS * sec * 1000;
      let intervalSec = this.opts.hostIntervalSec?.(seen.id) ?? DEFAULT_INTERVAL_SEC;
      let silent = silentWith(intervalSec);
      const key = hostProblemKey(seen.id);
      const state = unclosed.get(key);
      const isLive = state !== undefined && ACTIVE_STATES.includes(state);
      if (silent !== isLive) {
        // About to open or recover a ticket: judged on the host's interval as assigned now, not a remembered one.
        intervalSec = this.opts.hostIntervalSec?.(seen.id, true) ?? DEFAULT_INTERVAL_SEC;
        silent = silentWith(intervalSec);
      }
      if (!silent) {
        // Results arriving is not enough for an agentless host: the poller reports every round, also the
        // rounds where it could not log in. Those recover the ticket through their reachability result.
        if (isLive && !reachabilityFailing(this.db, seen.id)) markRecovered(this.db, findUnclosedTicket(this.db, key, now)!, now, 'host reporting again');
        continue;
      }
      if (isLive) continue;
      const graceUntil = Math.max(this.startedAt + this.graceMs, this.graceUntil.get(seen.id) ?? 0);
      if (now < graceUntil) continue;
      const host = getHost(this.db, seen.id);
      if (!host) continue;
      const existing = state !== undefined ? findUnclosedTicket(this.db, key, now) : undefined;
      if (activeWindowsForHost(this.db, host, now).length > 0) continue;
      const contract = getContract(this.db, host.customerId);
      const silence = sayCollector('host.silent', { since: host.lastSeenAt, intervals: SILENT_AFTER_INTERVALS, intervalSec });
      const summary = silence.summary;
      const restored = existing ? lastRestoredAt(existing) : null;
      if (existing && restored !== null && now - restored <= contract.reopenWindowMin * 60_000) {
        reopenTicket(this.db, existing, SYSTEM_ACTOR, now, summary, true);
      } else {
        const t = openTicket(this.db, {
          host,
          kind: 'host-unreachable',
          checkName: null,
          checkId: null,
          status: 'CRITICAL',
          summary,
          summaryMessage: silence.message,
          severity: severityOf('CRITICAL', host.criticality),
          flapping: false,
          now,
        });
        this.log.info({ host: host.id, ticket: t.number }, 'host unreachable');
      }
    }
  }

  private escalateOverdue(now: number): void {
    const due = this.db
      .prepare("SELECT id FROM tickets WHERE state = 'open' AND tier < 3 AND next_escalation_at IS NOT NULL AND next_escalation_at <= ?")
      .all(now) as Array<{ id: string }>;
    for (const { id } of due) {
      let t = getTicket(this.db, id, { now })!;
      // Catch up if several deadlines passed while the collector was down.
      while (t.state === 'open' && t.tier < 3 && t.nextEscalationAt !== null && t.nextEscalationAt <= now) t = escalate(this.db, t, now);
    }
  }
}
