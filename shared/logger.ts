import { writeSync } from 'node:fs';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Where the root logger's JSON lines go; fd 2, written synchronously, unless a program sets another sink. */
export type LogSink = (line: string) => void;

const toStderr: LogSink = (line) => {
  writeSync(2, line);
};
let sink: LogSink = toStderr;

/**
 * Send every log line (already JSON) to `next` instead of stderr; loggers made before the call follow too, since
 * the root writes through this indirection. The collector's start path uses it for pino-pretty on a terminal; the
 * agent never calls it, so its bundle carries no pretty-printer.
 */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? toStderr;
}

/** Root logger; level from PATROL_LOG_LEVEL (default info, 'silent' in tests unless asked). */
let root: Logger | undefined;

function rootLogger(): Logger {
  if (!root) {
    const level = process.env.PATROL_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
    const options: LoggerOptions = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
    root = pino(options, { write: (line: string) => sink(line) });
  }
  return root;
}

/** One logger per component, e.g. createLogger('ingest'). */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ component, ...bindings });
}
