import { createLogger } from '../../shared/logger.js';
import { listCustomers } from '../db/customers.js';
import { getContract } from '../contracts/contract-store.js';
import { existsSync } from 'node:fs';
import { INSPECTION_HOUR, inspectionStartsAt, inspectionsOfYear, localDate, owedSince, startOfLocalDate, type InspectionDate } from './holiday-calendar.js';
import { generateReport, type ReportDeps } from './generate.js';
import { runInspection, type InspectionAnswers, type RunNowHub } from './inspection.js';
import { listReports } from './report-store.js';
import { DEFAULT_CHROMIUM } from './render-pdf.js';

const log = createLogger('reports.schedule');

export interface ScheduleDeps extends ReportDeps {
  hub: RunNowHub;
  answers: InspectionAnswers;
  /** Local hour of the inspection day at which the run starts (default INSPECTION_HOUR, 9: engineers are in). */
  inspectionHour?: number;
  answerTimeoutMs?: number;
}

/**
 * Inspections whose day has come (and whose report week has not passed) that have no report made since
 * that day, of customers taken on before it started. Each customer's contract says how many days before its
 * holiday an inspection runs.
 */
export function inspectionsToRun(deps: Pick<ScheduleDeps, 'db' | 'inspectionHour'>, now: number): Array<{ customerId: string; inspection: InspectionDate }> {
  const today = localDate(now);
  const year = Number(today.slice(0, 4));
  const out: Array<{ customerId: string; inspection: InspectionDate }> = [];
  const hour = deps.inspectionHour ?? INSPECTION_HOUR;
  for (const customer of listCustomers(deps.db)) {
    const contract = getContract(deps.db, customer.id);
    for (const d of [year, year + 1].flatMap((y) => inspectionsOfYear(contract.inspections, y, contract.inspectionDaysBefore))) {
      // An inspection that started before the customer was taken on was never owed (as the calendar says): a customer
      // taken on in a report week gets no report of the weeks before it was watched.
      if (!owedSince(d, customer.createdAt, hour)) continue;
      if (now < inspectionStartsAt(d, undefined, hour) || today > d.reportDueDate) continue;
      const done = listReports(deps.db, { customerId: customer.id, inspectionKey: d.key, lang: 'zh' }).some((r) => r.generatedAt >= startOfLocalDate(d.inspectionDate));
      if (!done) out.push({ customerId: customer.id, inspection: d });
    }
  }
  return out;
}

/**
 * The scheduled side of reports, driven by the collector's tick: on an inspection day, run the inspection
 * and generate the report (Chinese, with a PDF when Chromium is there). One run at a time; a failure is
 * logged and retried on a later tick.
 */
export function createReportScheduler(deps: ScheduleDeps): { tick(now: number): Promise<void> } {
  let running: Promise<void> | undefined;
  let lastCheck = 0;
  return {
    async tick(now: number) {
      // Once a minute is plenty for a calendar measured in days.
      if (running || now - lastCheck < 60_000) return;
      lastCheck = now;
      const todo = inspectionsToRun(deps, now);
      if (!todo.length) return;
      running = (async () => {
        for (const { customerId, inspection } of todo) {
          try {
            const record = await runInspection({ db: deps.db, hub: deps.hub, answers: deps.answers, customerId, inspection, now: deps.now, timeoutMs: deps.answerTimeoutMs });
            const pdf = existsSync(deps.chromiumPath ?? process.env.PATROL_CHROMIUM ?? DEFAULT_CHROMIUM);
            // No engineer yet: the cover names whoever signs it off.
            await generateReport(deps, { customerId, inspectionKey: inspection.key, lang: 'zh', pdf, inspection: record, engineer: '' });
          } catch (err) {
            log.error({ err, customer: customerId, inspection: inspection.key }, 'scheduled inspection failed; will retry');
          }
        }
      })().finally(() => {
        running = undefined;
      });
      await running;
    },
  };
}
