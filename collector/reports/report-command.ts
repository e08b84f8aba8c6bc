import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCollectorConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { metricsStoreFromConfig } from '../metrics/open-store.js';
import { PeriodSchema } from './holiday-calendar.js';
import { currentDocx, currentHtml, currentPdf, generateReport } from './generate.js';
import { cachedDocxFile } from './docx-cache.js';
import { ReportLangSchema } from './model.js';
import { fileBase, loadReport } from './report-store.js';

/** Where the command writes and what environment it reads; injectable for tests. */
export interface ReportCliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

const defaultIo: ReportCliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
};

/**
 * `patrol report --customer acme (--inspection national-day-2026 | --period 2026Q4) [--lang en] [--pdf] [--docx] [--out DIR]`:
 * build the report of one inspection from the local data dir and the configured metrics store, with the
 * inspection's latest recorded run (the collector runs those on the calendar); without one, the last known
 * check states stand in. `--period 2026Q4` alone covers exactly that quarter (2026-10-01 to 2027-01-01,
 * Beijing time). Generating again makes the next version of the draft; a signed-off report is never
 * replaced (exit code 1 with the reason).
 *
 * `patrol report remark <id> <finding> <text...>` and `patrol report sign-off <id> [--note]`: the engineer's
 * review, through the collector API as PATROL_USER (so the sign-off carries who did it, and tenancy and
 * roles apply as on the dashboard).
 */
export function registerReportCommand(program: Command, io: ReportCliIo = defaultIo): Command {
  const report = program
    .command('report')
    .description('generate an inspection report (HTML + JSON, PDF with --pdf, Word with --docx), stored with history; remark and sign-off subcommands')
    .option('--customer <id>', 'customer id, e.g. acme')
    .option('--inspection <key>', 'inspection, e.g. national-day-2026, spring-festival-2027, custom-2026-08-15')
    .option('--period <quarter>', 'a quarter, e.g. 2026Q4: the report covers exactly that quarter')
    .option('--lang <lang>', 'zh (default) or en', 'zh')
    .option('--pdf', 'also print a PDF with headless Chromium')
    .option('--docx', 'also write a Word file (.docx); its charts are drawn with headless Chromium')
    .option('--out <dir>', 'also copy the files here')
    .option('--engineer <name>', 'name on the cover')
    .option('--config <file>', 'collector JSON config (PATROL_* env wins)')
    .option('--data-dir <dir>', 'collector data folder (env PATROL_DATA_DIR)')
    .action(
      async (o: { customer?: string; inspection?: string; period?: string; lang: string; pdf?: boolean; docx?: boolean; out?: string; engineer?: string; config?: string; dataDir?: string }) => {
        const fail = (text: string, code: number) => {
          io.err(`patrol report: ${text}\n`);
          process.exitCode = code;
        };
        const period = o.period === undefined ? undefined : PeriodSchema.safeParse(o.period);
        const lang = ReportLangSchema.safeParse(o.lang);
        if (!o.customer) return fail('--customer is required', 2);
        if (!o.inspection && !period) return fail('name the inspection (--inspection national-day-2026) or a quarter (--period 2026Q4)', 2);
        if (period && !period.success) return fail('--period must be a quarter like 2026Q4', 2);
        if (!lang.success) return fail('--lang must be zh or en', 2);
        let config;
        try {
          config = loadCollectorConfig(o.config, { dataDir: o.dataDir });
        } catch (err) {
          return fail((err as Error).message, 2);
        }
        const db = openDatabase(join(config.dataDir, 'patrol.db'));
        const store = metricsStoreFromConfig(config, undefined, { rollups: 'reader' });
        try {
          if (!getCustomer(db, o.customer)) return fail(`no customer '${o.customer}' in ${config.dataDir}`, 2);
          await store.init();
          const deps = { db, store, dataDir: config.dataDir, now: Date.now };
          const rec = await generateReport(deps, {
            customerId: o.customer,
            inspectionKey: o.inspection,
            period: period?.data,
            lang: lang.data,
            pdf: o.pdf,
            engineer: o.engineer,
          });
          const doc = loadReport(db, rec);
          const files = [join(rec.filesDir, 'report.html'), join(rec.filesDir, 'report.json'), ...(o.pdf ? [join(rec.filesDir, 'report.pdf')] : [])];
          const docx = o.docx ? await currentDocx(deps, rec) : undefined;
          const docxFile = docx ? cachedDocxFile(rec.filesDir) : undefined;
          if (docxFile) files.push(docxFile);
          if (o.out) {
            const out = resolve(o.out);
            mkdirSync(out, { recursive: true });
            const base = fileBase(rec);
            writeFileSync(join(out, `${base}.html`), currentHtml(deps, rec));
            writeFileSync(join(out, `${base}.json`), JSON.stringify(doc, null, 2));
            if (o.pdf) writeFileSync(join(out, `${base}.pdf`), await currentPdf(deps, rec));
            if (docx) writeFileSync(join(out, `${base}.docx`), docx);
            files.push(...[`${base}.html`, `${base}.json`, ...(o.pdf ? [`${base}.pdf`] : []), ...(docx ? [`${base}.docx`] : [])].map((f) => join(out, f)));
          }
          const window = `${new Date(doc.cover.periodFrom).toISOString()} .. ${new Date(doc.cover.periodTo).toISOString()}`;
          const what = rec.scope === 'quarter' ? rec.period : (rec.inspectionKey ?? rec.period);
          io.out(`report ${rec.id}: ${doc.cover.customerName} ${what} version ${rec.version} (${window}), health score ${doc.summary.healthScore}, ${doc.findings.length} findings\n`);
          for (const f of files) io.out(`${f}\n`);
        } catch (err) {
          fail((err as Error).message, 1);
        } finally {
          await store.close();
          db.close();
        }
      },
    );

  /** One call to /api/reports as PATROL_USER; a refusal is printed with its reason and exit code 1. */
  async function api(cmd: Command, method: string, path: string, body: unknown): Promise<Record<string, unknown> | undefined> {
    const { url } = cmd.opts<{ url: string }>();
    const user = io.env.PATROL_USER;
    if (!user) {
      io.err('patrol report: set PATROL_USER and PATROL_PASSWORD\n');
      process.exitCode = 2;
      return undefined;
    }
    let res: Response;
    try {
      res = await fetch(`${url.replace(/\/$/, '')}/api/reports${path}`, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`${user}:${io.env.PATROL_PASSWORD ?? ''}`).toString('base64')}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
      });
    } catch (err) {
      io.err(`patrol report: cannot reach ${url}: ${(err as Error).message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      io.err(`patrol report: HTTP ${res.status}: ${typeof answer.error === 'string' ? answer.error : res.statusText}\n`);
      process.exitCode = 1;
      return undefined;
    }
    return answer;
  }
  const urlOption = ['--url <url>', 'collector URL (env PATROL_URL)', io.env.PATROL_URL ?? 'http://127.0.0.1:8080'] as const;

  report
    .command('remark')
    .description("set an engineer's remark on a finding of a draft report (empty text clears it)")
    .argument('<id>', 'report id')
    .argument('<finding>', 'finding id, e.g. disk:HOST:/data (in the JSON download)')
    .argument('<text...>', 'the remark')
    .option(...urlOption)
    .action(async (id: string, finding: string, text: string[], _o: unknown, cmd: Command) => {
      const ok = await api(cmd, 'PUT', `/${encodeURIComponent(id)}/remarks/${encodeURIComponent(finding)}`, { remark: text.join(' ') });
      if (ok) io.out(`remark saved on ${finding} of report ${id}\n`);
    });

  report
    .command('sign-off')
    .description('sign a report off as PATROL_USER: the customer sees it from then on, and it no longer changes')
    .argument('<id>', 'report id')
    .option('--note <text>', 'note in the sign-off block', '')
    .option(...urlOption)
    .action(async (id: string, o: { note: string }, cmd: Command) => {
      const answer = await api(cmd, 'POST', `/${encodeURIComponent(id)}/sign-off`, { note: o.note });
      const signed = answer?.signedOff as { by?: string; at?: number } | undefined;
      if (signed) io.out(`report ${id} signed off by ${signed.by ?? '?'} at ${new Date(signed.at ?? 0).toISOString()}\n`);
    });
  return report;
}
