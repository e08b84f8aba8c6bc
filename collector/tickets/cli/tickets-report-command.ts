import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { ApiError, runAction, type CliIo, type Globals, type TicketApi } from './tickets-api.js';
import { TicketSchema } from './tickets-format.js';

/**
 * `patrol tickets report <ticket>` downloads the fault-handling report (故障处理报告); `patrol tickets
 * set-report <ticket>` fills in the engineer's part of it (cause, actions taken, prevention).
 */
export function registerTicketReportCommands(tickets: Command, api: TicketApi, io: CliIo): void {
  tickets
    .command('report <ticket>')
    .description('download the fault-handling report of a ticket')
    .option('--format <format>', 'md or html', 'md')
    .option('--lang <lang>', 'zh or en', 'zh')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      runAction(async (cmd, id: string) => {
        const o = cmd.opts<{ format: string; lang: string; out?: string }>();
        if (o.format !== 'md' && o.format !== 'html') throw new ApiError(`--format: md or html, not ${o.format}`);
        if (o.lang !== 'zh' && o.lang !== 'en') throw new ApiError(`--lang: zh or en, not ${o.lang}`);
        const body = await api.text(cmd, `/${encodeURIComponent(id)}/report?${new URLSearchParams({ format: o.format, lang: o.lang })}`);
        if (!o.out) return io.out(body.endsWith('\n') ? body : body + '\n');
        try {
          await writeFile(o.out, body);
        } catch (err) {
          throw new ApiError(`cannot write ${o.out}: ${(err as Error).message}`);
        }
        io.out(`wrote ${o.out} (${Buffer.byteLength(body)} bytes)\n`);
      }),
    );

  tickets
    .command('set-report <ticket>')
    .description("fill in the engineer's part of the fault-handling report")
    .option('--cause <text>', 'what caused the fault')
    .option('--actions <text>', 'what was done')
    .option('--prevention <text>', 'how to keep it from happening again')
    .action(
      runAction(async (cmd, id: string) => {
        const o = cmd.opts<{ cause?: string; actions?: string; prevention?: string }>();
        const fields = Object.fromEntries(Object.entries(o).filter(([k, v]) => ['cause', 'actions', 'prevention'].includes(k) && v !== undefined));
        if (Object.keys(fields).length === 0) throw new ApiError('give --cause, --actions or --prevention');
        const answer = await api.json(cmd, 'PATCH', `/${encodeURIComponent(id)}/report`, fields);
        if (cmd.optsWithGlobals<Globals>().json) return io.out(JSON.stringify(answer, null, 2) + '\n');
        const t = TicketSchema.parse(z.object({ ticket: z.unknown() }).parse(answer).ticket);
        io.out(`${t.number}  report updated: ${Object.keys(fields).join(', ')}\n`);
      }),
    );
}
