import type { Command } from 'commander';

/** Where the CLI writes and what environment it reads; injectable for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}

export const defaultIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
};

/** A refusal or failure to print as one line with exit code 1 (not a stack trace). */
export class ApiError extends Error {}

export interface Globals {
  url: string;
  json?: boolean;
}

/** HTTP Basic against /api/tickets with PATROL_USER / PATROL_PASSWORD; the answer as text and content type. */
async function request(io: CliIo, cmd: Command, method: string, path: string, body?: unknown): Promise<{ text: string; bytes: Buffer; contentType: string }> {
  const g = cmd.optsWithGlobals<Globals>();
  const user = io.env.PATROL_USER;
  const password = io.env.PATROL_PASSWORD ?? '';
  if (!user) throw new ApiError('set PATROL_USER and PATROL_PASSWORD');
  const res = await fetch(`${g.url.replace(/\/$/, '')}/api/tickets${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((err: Error) => {
    throw new ApiError(`cannot reach ${g.url}: ${err.message}`);
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  if (!res.ok) {
    let msg = text.slice(0, 200);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'object' && parsed && 'error' in parsed) msg = String((parsed as { error: unknown }).error);
    } catch {
      // not JSON: the start of the text is the message
    }
    throw new ApiError(`${res.status} ${msg}`);
  }
  return { text, bytes, contentType: res.headers.get('content-type') ?? '' };
}

/** The API as the ticket commands use it: JSON answers, or the raw text of a download. */
export function ticketApi(io: CliIo) {
  return {
    async json(cmd: Command, method: string, path: string, body?: unknown): Promise<unknown> {
      const { text } = await request(io, cmd, method, path, body);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ApiError(`the collector answered something that is not JSON: ${text.slice(0, 100)}`);
      }
    },
    async text(cmd: Command, path: string): Promise<string> {
      return (await request(io, cmd, 'GET', path)).text;
    },
    /** A binary download (a PDF) as it came. */
    async bytes(cmd: Command, path: string): Promise<Buffer> {
      return (await request(io, cmd, 'GET', path)).bytes;
    },
  };
}
export type TicketApi = ReturnType<typeof ticketApi>;

/** Run an action; API errors become a one-line message and exit code 1. */
export const runAction =
  <A extends unknown[]>(fn: (cmd: Command, ...args: A) => Promise<void>) =>
  async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    try {
      await fn(cmd, ...(args.slice(0, -2) as A));
    } catch (err) {
      if (err instanceof ApiError) cmd.error(`patrol tickets: ${err.message}`, { exitCode: 1 });
      throw err;
    }
  };
