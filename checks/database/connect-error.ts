import type { Said } from '../message-text.js';
import { say } from './messages.js';

/** Codes Node and the drivers put on a failed connect, and the words an engineer reads at 3 a.m. */
const CODE_WORDS = {
  ECONNREFUSED: 'db.connect.refused',
  ECONNRESET: 'db.connect.reset',
  ETIMEDOUT: 'db.connect.timedOut',
  EHOSTUNREACH: 'db.connect.hostUnreachable',
  ENETUNREACH: 'db.connect.networkUnreachable',
  ENOTFOUND: 'db.connect.unresolved',
  EAI_AGAIN: 'db.connect.unresolved',
  EPIPE: 'db.connect.closed',
} as const;

interface ErrorWithCode {
  code?: unknown;
  errors?: unknown;
  message?: unknown;
}

/** The socket-level code of an error, looking inside AggregateError (Node tries every address of a name). */
export function errorCode(err: unknown): string | undefined {
  const e = err as ErrorWithCode | null;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string' && e.code) return e.code;
  if (Array.isArray(e.errors)) for (const inner of e.errors) {
    const c = errorCode(inner);
    if (c) return c;
  }
  return undefined;
}

/**
 * A one-line description of why a connection failed, e.g. "connection refused to 127.0.0.1:5432".
 * `scrub` runs over any driver text that is kept, because drivers sometimes echo the connection string.
 */
export function describeConnectError(err: unknown, where: string, scrub: (text: string) => string): string {
  return connectErrorSaid(err, where, scrub).summary;
}

/** describeConnectError as a message (the summary is its English text). */
export function connectErrorSaid(err: unknown, where: string, scrub: (text: string) => string): Said {
  const code = errorCode(err);
  if (code && Object.hasOwn(CODE_WORDS, code)) return say(CODE_WORDS[code as keyof typeof CODE_WORDS], { where });
  const message = err instanceof Error ? err.message : String(err);
  if (/timeout|timed out/i.test(message)) return say('db.connect.noAnswer', { where });
  return say('db.connect.error', { where: scrub(where), error: scrub(message || code || 'connection failed') });
}

/**
 * Close `close` when the check's signal aborts (the run's timeout passed); returns the un-register function.
 * Checks call it right after opening a connection so that a hung server never holds a socket open.
 */
export function closeOnAbort(signal: AbortSignal, close: () => void): () => void {
  if (signal.aborted) {
    close();
    return () => {};
  }
  signal.addEventListener('abort', close, { once: true });
  return () => signal.removeEventListener('abort', close);
}

/**
 * `work`, or a rejection as soon as the signal aborts. Drivers do not all take a signal; this plus
 * closeOnAbort (which closes the socket) keeps a silent server from holding a run past its timeout.
 */
export function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
