import type { Readable } from 'node:stream';
import { setLogSink } from '../shared/logger.js';

/**
 * Logs for a person at a terminal: when stdout is a TTY (and PATROL_LOG_FORMAT is not 'json') the JSON lines are
 * turned into coloured one-liners by pino-pretty; piped or redirected output stays JSON for log shippers.
 * pino-pretty is loaded here only, on the collector's start path, so the agent bundle never carries it.
 * Returns a writer for a child's stderr (the local agent of `npm start`) that prints its lines the same way.
 */
export async function humanLogsOnTerminal(isTTY = Boolean(process.stdout.isTTY)): Promise<{ pretty: boolean; follow(stream: Readable): void }> {
  if (!isTTY || process.env.PATROL_LOG_FORMAT === 'json') {
    return { pretty: false, follow: (stream) => void stream.pipe(process.stderr, { end: false }) };
  }
  const { default: pinoPretty } = await import('pino-pretty');
  // One line per entry: the component in brackets, the remaining fields as compact JSON after the message.
  const options = { colorize: true, sync: true, destination: 2, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,component', messageFormat: '[{component}] {msg}', singleLine: true } as const;
  const own = pinoPretty(options);
  setLogSink((line) => {
    own.write(line);
  });
  return {
    pretty: true,
    follow: (stream) => void stream.pipe(pinoPretty(options)),
  };
}
