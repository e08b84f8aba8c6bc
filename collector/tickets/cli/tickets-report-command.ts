import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { ApiError, runAction, type CliIo, type Globals, type TicketApi } from './tickets-api.js';
import { TicketSchema } from './tickets-format.js';

/**
 * `patrol tickets report <ticket>` downloads the fault-handling report (故障处理报告) as the customer gets it
 * (PDF, Word, HTML or Markdown, zh or en); `patrol tickets set-report <ticket>` fills in the engineer's part of it
 * (cause, actions taken, prevention).
 */
const FORMATS = ['md', 'html', 'pdf', 'docx'] as const;
const BINARY = new Set<string>(['pdf', 'docx']);

export function registerTicketReportCommands(tickets: Command, api: TicketApi, io: CliIo): void {
  tickets
    .command('report <ticket>')
    .description('download the fault-handling report of a ticket')
    .option('--format <format>', FORMATS.join(', '), 'md')
    .option('--pdf', 'the same as --format pdf')
    .option('--docx', 'the same as --format docx (Word)')
    .option('--lang <lang>', 'zh or en', 'zh')
    .option('--out <file>', 'write to this file instead of standard output (needed for PDF and Word)')
    .action(
      runAction(async (cmd, id: string) => {
        const o = cmd.opts<{ format: string; pdf?: boolean; docx?: boolean; lang: string; out?: string }>();
        if (o.pdf && o.docx) throw new ApiError('--pdf or --docx, not both');
        const format = o.pdf ? 'pdf' : o.docx ? 'docx' : o.format;
        if (!(FORMATS as readonly string[]).includes(format)) throw new ApiError(`--format: ${FORMATS.join(', ')}, not ${format}`);
        if (o.lang !== 'zh' && o.lang !== 'en') throw new ApiError(`--lang: zh or en, not ${o.lang}`);
        if (BINARY.has(format) && !o.out) throw new ApiError(`a ${format.toUpperCase()} needs --out FILE`);
        const path = `/${encodeURIComponent(id)}/report?${new URLSearchParams({ format, lang: o.lang })}`;
        if (!o.out) {
          const body = await api.text(cmd, path);
          return io.out(body.endsWith('\n') ? body : body + '\n');
        }
        const body = await api.bytes(cmd, path);
        try {
          await writeFile(o.out, body);
        } catch (err) {
          throw new ApiError(`cannot write ${o.out}: ${(err as Error).message}`);
        }
        io.out(`wrote ${o.out} (${body.length} bytes)\n`);
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
