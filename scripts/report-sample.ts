/**
 * `npm run report:sample [-- --png DIR]`: make the sample inspection reports anyone can look at,
 * docs/report-sample-zh.pdf and docs/report-sample-en.pdf (and .docx), from the demo fleet of
 * scripts/demo-fleet.ts (four hosts with faults, 2026Q3) in a throw-away data folder: the provider's
 * identity set, a remark, the engineer's sign-off and the customer's online acceptance, as a customer gets it.
 * With --png, every page is also written as a PNG (pdftoppm) for looking at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../collector/db/database.js';
import { sqliteMetricsStore } from '../collector/metrics/sqlite-store.js';
import { currentPdf, generateReport } from '../collector/reports/generate.js';
import { getReportRecord, loadReport, setRemark, signOff } from '../collector/reports/report-store.js';
import { DEMO_CUSTOMER, DEMO_NOW, DEMO_PERIOD, seedDemoFleet, seedDemoProvider } from './demo-fleet.js';
import { sampleExtras } from './report-sample-extras.js';

const args = process.argv.slice(2);
const pngDir = args.includes('--png') ? resolve(args[args.indexOf('--png') + 1] ?? 'report-pages') : undefined;
const docs = resolve('docs');
const work = mkdtempSync(join(tmpdir(), 'patrol-report-sample-'));
const db = openDatabase(join(work, 'patrol.db'));
const store = sqliteMetricsStore({ path: join(work, 'metrics.db'), retentionDays: 100_000, now: () => DEMO_NOW });
try {
  await store.init();
  await seedDemoFleet(db, store);
  seedDemoProvider(db);
  const deps = { db, store, dataDir: work, now: () => DEMO_NOW };
  for (const lang of ['zh', 'en'] as const) {
    const rec = await generateReport(deps, { customerId: DEMO_CUSTOMER, period: DEMO_PERIOD, lang, engineer: lang === 'zh' ? '李明' : 'Li Ming' });
    const disk = loadReport(db, rec).findings.find((f) => f.rule === 'disk');
    if (disk) setRemark(db, rec, disk.id, lang === 'zh' ? '已与客户确认 10 月中旬扩容 /data 至 1 TB。' : 'Agreed with the customer to extend /data to 1 TB in mid-October.', { id: null, name: '李明' }, DEMO_NOW);
    signOff(db, getReportRecord(db, rec.id)!, { id: null, name: lang === 'zh' ? '李明' : 'Li Ming' }, lang === 'zh' ? '巡检完成，问题已与客户沟通。' : 'Inspection done; findings discussed with the customer.', DEMO_NOW + 3_600_000);
    const signed = getReportRecord(db, rec.id)!;
    await sampleExtras(deps, signed, lang);
    const pdf = await currentPdf(deps, getReportRecord(db, rec.id)!);
    const file = join(docs, `report-sample-${lang}.pdf`);
    writeFileSync(file, pdf);
    console.log(`${file} (${Math.round(pdf.length / 1024)} KiB)`);
    if (pngDir) {
      mkdirSync(pngDir, { recursive: true });
      execFileSync('pdftoppm', ['-png', '-r', '60', file, join(pngDir, `${lang}-page`)]);
      console.log(`pages: ${pngDir}/${lang}-page-*.png`);
    }
  }
} finally {
  await store.close();
  db.close();
  rmSync(work, { recursive: true, force: true });
}
