import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCollectorConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { metricsStoreFromConfig } from '../metrics/open-store.js';
import { PeriodSchema } from './calendar.js';
import { currentHtml, currentPdf, generateReport } from './generate.js';
import { latestInspection } from './inspection.js';
import { ReportLangSchema } from './model.js';
import { loadReport } from './report-store.js';

/**
 * `patrol report --customer acme --period 2026Q4 [--lang en] [--pdf] [--out DIR]`: build the report from
 * the local data dir and the configured metrics store. It uses the period's latest recorded inspection
 * (the collector runs those on the calendar); without one, the last known check states stand in.
 */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('generate a quarterly inspection report (HTML + JSON, PDF with --pdf), stored with history')
    .requiredOption('--customer <id>', 'customer id, e.g. acme')
    .requiredOption('--period <quarter>', 'quarter, e.g. 2026Q4')
    .option('--lang <lang>', 'zh (default) or en', 'zh')
    .option('--pdf', 'also print a PDF with headless Chromium')
    .option('--out <dir>', 'also copy the files here')
    .option('--engineer <name>', 'name on the cover')
    .option('--config <file>', 'collector JSON config (PATROL_* env wins)')
    .option('--data-dir <dir>', 'collector data folder (env PATROL_DATA_DIR)')
    .action(async (o: { customer: string; period: string; lang: string; pdf?: boolean; out?: string; engineer?: string; config?: string; dataDir?: string }) => {
      const period = PeriodSchema.safeParse(o.period);
      const lang = ReportLangSchema.safeParse(o.lang);
      if (!period.success || !lang.success) {
        console.error(`patrol report: ${!period.success ? '--period must be a quarter like 2026Q4' : '--lang must be zh or en'}`);
        process.exitCode = 2;
        return;
      }
      let config;
      try {
        config = loadCollectorConfig(o.config, { dataDir: o.dataDir });
      } catch (err) {
        console.error(`patrol report: ${(err as Error).message}`);
        process.exitCode = 2;
        return;
      }
      const db = openDatabase(join(config.dataDir, 'patrol.db'));
      const store = metricsStoreFromConfig(config);
      try {
        if (!getCustomer(db, o.customer)) {
          console.error(`patrol report: no customer '${o.customer}' in ${config.dataDir}`);
          process.exitCode = 2;
          return;
        }
        await store.init();
        const deps = { db, store, dataDir: config.dataDir, now: Date.now };
        const rec = await generateReport(deps, {
          customerId: o.customer,
          period: period.data,
          lang: lang.data,
          pdf: o.pdf,
          engineer: o.engineer,
          inspection: latestInspection(db, o.customer, period.data),
        });
        const report = loadReport(db, rec);
        const files = [join(rec.filesDir, 'report.html'), join(rec.filesDir, 'report.json'), ...(o.pdf ? [join(rec.filesDir, 'report.pdf')] : [])];
        if (o.out) {
          const out = resolve(o.out);
          mkdirSync(out, { recursive: true });
          const base = `inspection-${rec.customerId}-${rec.period}-${rec.lang}`;
          writeFileSync(join(out, `${base}.html`), currentHtml(deps, rec));
          writeFileSync(join(out, `${base}.json`), JSON.stringify(report, null, 2));
          if (o.pdf) writeFileSync(join(out, `${base}.pdf`), await currentPdf(deps, rec));
          files.push(...[`${base}.html`, `${base}.json`, ...(o.pdf ? [`${base}.pdf`] : [])].map((f) => join(out, f)));
        }
        console.log(`report ${rec.id}: ${report.cover.customerName} ${rec.period}, health score ${report.summary.healthScore}, ${report.findings.length} findings`);
        for (const f of files) console.log(f);
      } catch (err) {
        console.error(`patrol report: ${(err as Error).message}`);
        process.exitCode = 1;
      } finally {
        await store.close();
        db.close();
      }
    });
}
