/**
 * `npm start`: a collector on the embedded store with a local agent enrolled into the `demo` customer.
 * Everything lives in .patrol-data/ (delete it to start over). On loopback (the default) it runs plain http and ws,
 * which never leave this machine; with PATROL_HOST set to another address (or PATROL_TLS=auto) it serves TLS with
 * its own CA like any collector, and the local agent pins that CA.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCollectorConfig } from '../collector/config.js';
import { startCollector } from '../collector/server.js';
import { ensureCustomer } from '../collector/db/customers.js';
import { createEnrollmentToken } from '../collector/db/agents.js';
import { newPassword } from '../collector/auth/secrets.js';
import { isLoopbackHost } from '../shared/loopback.js';
import { humanLogsOnTerminal } from '../collector/log-format.js';

// Before anything logs: coloured one-line logs on a terminal, JSON when piped (see collector/log-format.ts).
const logs = await humanLogsOnTerminal();

const listenHost = process.env.PATROL_HOST || '127.0.0.1';
const config = loadCollectorConfig(undefined, { tls: process.env.PATROL_TLS ? undefined : isLoopbackHost(listenHost) ? 'off' : 'auto' });
mkdirSync(config.dataDir, { recursive: true });

// The demo keeps its admin password in a 0600 file so every `npm start` can print it again.
const passwordFile = join(config.dataDir, 'admin-password');
if (!process.env.PATROL_ADMIN_PASSWORD) {
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, newPassword(), { mode: 0o600 });
  process.env.PATROL_ADMIN_PASSWORD = readFileSync(passwordFile, 'utf8').trim();
}

const collector = await startCollector({ config }).catch((err: NodeJS.ErrnoException) => {
  const why = err.code === 'EADDRINUSE' ? `port ${config.port} on ${config.host} is in use (another Patrol? set PATROL_PORT)` : err.message;
  console.error(`patrol: cannot start the collector: ${why}`);
  process.exit(1);
});
const agentStateDir = join(config.dataDir, 'agent');
// The local agent reaches a wildcard listener through loopback (in the certificate's names too).
const agentHost = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
const agentArgs = [resolve('bin/patrol-agent.js'), '--collector', `${collector.tls ? 'wss' : 'ws'}://${agentHost}:${collector.port}/agent`, '--state-dir', agentStateDir];
if (collector.tls?.caPin) agentArgs.push('--ca-pin', collector.tls.caPin);
if (!existsSync(join(agentStateDir, 'credentials.json'))) {
  ensureCustomer(collector.db, 'demo', 'Demo customer', Date.now());
  agentArgs.push('--enroll', createEnrollmentToken(collector.db, 'demo', Date.now(), { note: 'npm start local agent' }).token);
}
const agent = spawn(process.execPath, agentArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATROL_LOG_LEVEL: process.env.PATROL_LOG_LEVEL ?? 'warn' } });
logs.follow(agent.stderr);

// The banner comes last, once the local agent is connected (or has had 15 s), so the start-up logs (migrations,
// enrollment, "agent connected") do not scroll the URL and password away.
const waitUntil = Date.now() + 15_000;
while (!collector.hub.connectedHostIds().length && Date.now() < waitUntil && agent.exitCode === null) await new Promise((r) => setTimeout(r, 100));
// The agent's hello and first results are logged just after it connects.
await new Promise((r) => setTimeout(r, 300));

console.log(`
  Patrol is running.
    Dashboard and API: ${collector.url}
    User: admin   Password: ${process.env.PATROL_ADMIN_PASSWORD}
    Metrics store: ${collector.store.kind} (data in ${config.dataDir})
    A local agent (customer "demo") is streaming this machine's figures; try
      curl ${collector.tls?.source === 'generated' ? `--cacert ${join(config.dataDir, 'tls', 'ca.pem')} ` : ''}-u admin:${process.env.PATROL_ADMIN_PASSWORD} ${collector.url}/api/hosts
  Stop with Ctrl-C.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  agent.kill('SIGTERM');
  await new Promise((r) => agent.once('exit', r));
  await collector.close();
  process.exit(0);
};
agent.on('exit', (code) => {
  if (!stopping) console.error(`the local agent exited (code ${code}); the collector keeps running`);
});
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
// The terminal closed: stop the local agent too instead of leaving it behind.
process.once('SIGHUP', () => void stop());
