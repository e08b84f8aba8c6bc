import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { Db } from '../../db/database.js';
import { visibleCustomerIds } from '../../db/users.js';
import { SESSION_COOKIE, type DashEnv } from '../../page-kit/env.js';
import { findSession } from '../sessions.js';
import type { LiveEvent, LiveFeed } from './live-feed.js';

/** 15 s: under every proxy idle timeout we know of, and how soon a logged-out or disabled user's stream ends. */
export const HEARTBEAT_MS = 15_000;

/** One SSE frame; written in one piece so concurrent events never interleave. */
const frame = (event: string, data: string) => `event: ${event}\ndata: ${data}\n\n`;

/**
 * GET /live/events: Server-Sent Events for the signed-in user's customers only. Each heartbeat looks at the
 * session again, so a stream ends when the session does, and an engineer whose customers changed hears of
 * the new set from then on.
 */
export function liveRoutes(deps: { db: Db; now(): number; feed: LiveFeed; heartbeatMs?: number }): Hono<DashEnv> {
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
  const app = new Hono<DashEnv>();
  app.get('/live/events', (c) => {
    const sid = getCookie(c, SESSION_COOKIE) ?? '';
    return streamSSE(c, async (stream) => {
      let ended = false;
      let wake: () => void = () => {};
      stream.onAbort(() => {
        ended = true;
        wake();
      });
      const subscriber = {
        customerIds: c.get('customerIds') as readonly string[] | undefined,
        send: (e: LiveEvent) => {
          if (!ended) void stream.write(frame(e.type, JSON.stringify(e))).catch(() => (ended = true));
        },
      };
      const unsubscribe = deps.feed.subscribe(subscriber);
      try {
        // retry: reconnect after 5 s if the collector restarts; `ready` tells the page the stream is open.
        await stream.write(`retry: 5000\n${frame('ready', '{}')}`);
        while (!ended) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, heartbeatMs);
            t.unref();
            wake = () => (clearTimeout(t), resolve());
          });
          if (ended) break;
          const session = findSession(deps.db, sid, deps.now());
          if (!session) {
            await stream.write(frame('logout', '{}'));
            break;
          }
          subscriber.customerIds = visibleCustomerIds(deps.db, session.user);
          await stream.write(': keep-alive\n\n');
        }
      } finally {
        ended = true;
        unsubscribe();
      }
    });
  });
  return app;
}
