import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../shared/logger.js';

/**
 * Pending connections a listener queues: the connect storm after a restart brings thousands of agents at once, and
 * Node's default of 511 overflowed at 10,000 (ECONNRESET, then each agent's back-off). The kernel caps it at
 * somaxconn (4,096 by default since Linux 5.4).
 */
export const LISTEN_BACKLOG = 4096;

const log = createLogger('tls.plain');

/**
 * PATROL_PLAIN_PORT: while agents installed before TLS still connect with ws:// to the old port, this listener
 * hands their WebSocket upgrades to the TLS server's handler (the same agent-key check, the same hub) and answers
 * every other request with where to go instead: no API, no dashboard and no enrollment travel in plain text.
 * Each plain connection is logged with its address, so the agents still to move can be found.
 */
export async function startPlainAgentListener(o: { host: string; port: number; tlsServer: Server; tlsUrl: string }): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `this port serves only agents that still connect with ws:// during the move to TLS; use ${o.tlsUrl}` }));
  });
  server.on('upgrade', (req, socket, head) => {
    log.warn({ remote: req.socket.remoteAddress }, 'an agent connects over plain ws (PATROL_PLAIN_PORT): move it to wss with patrol deploy --upgrade');
    o.tlsServer.emit('upgrade', req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.port, host: o.host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.warn({ host: o.host, port }, 'plain ws listener for agents not yet moved to TLS (PATROL_PLAIN_PORT): remove it once every agent uses wss');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
