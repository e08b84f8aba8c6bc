import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Root logger; level from PATROL_LOG_LEVEL (default info, 'silent' in tests unless asked). */
let root: Logger | undefined;

function rootLogger(): Logger {
  if (!root) {
    const level = process.env.PATROL_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
    const options: LoggerOptions = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
    root = pino(options, pino.destination({ dest: 2, sync: true }));
  }
  return root;
}

/** One logger per component, e.g. createLogger('ingest'). */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ component, ...bindings });
}
