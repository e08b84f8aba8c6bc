import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { KnownHosts } from '../shared/ssh-connect.js';
import { PATROL_VERSION } from '../shared/version.js';
import { defaultBundlePath, openBundle } from './bundle.js';
import { apiUrlFromCollector, CollectorApi } from './collector-api.js';
import { loadInventory } from './inventory.js';
import { formatResultTable } from './result-table.js';
import { runDeploy, type DeployMode } from './run-deploy.js';
import { plainCollectorProblem, resolveDeployTrust, type DeployTrust } from './collector-trust.js';

const DeployFlagsSchema = z
  .object({
    inventory: z.string().min(1),
    collector: z.string().regex(/^wss?:\/\//, 'a ws:// or wss:// URL, e.g. wss://collector:8443/agent'),
    enrollToken: z.string().min(1).optional(),
    concurrency: z.coerce.number().int().min(1).max(100).default(5),
    upgrade: z.boolean().default(false),
    uninstall: z.boolean().default(false),
    knownHosts: z.string().default(join(homedir(), '.config', 'patrol', 'known_hosts.json')),
    bundle: z.string().optional(),
    apiUrl: z.url().optional(),
    wait: z.boolean().default(true),
    onlineTimeout: z.coerce.number().positive().default(90),
    caFile: z.string().min(1).optional(),
    allowCommandDir: z.array(z.string().regex(/^\/./, 'an absolute folder path')).default([]),
    allowCommand: z.array(z.string().trim().regex(/^\/\S/, 'a command line starting with an absolute path')).default([]),
    caPin: z.string().min(1).optional(),
    insecure: z.boolean().default(false),
  })
  .refine((f) => !(f.upgrade && f.uninstall), { message: '--upgrade and --uninstall do not go together' })
  .refine((f) => !(f.caFile && f.caPin), { message: '--ca-file and --ca-pin do not go together (a private CA: --ca-file; the collector\'s own CA: --ca-pin)' });

/** `patrol deploy`: install, upgrade or remove the agent on every host of an inventory over SSH. */
export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('install the Patrol agent on the hosts of an inventory over SSH (idempotent), or --upgrade / --uninstall it')
    .requiredOption('--inventory <file>', 'hosts.yaml: host, port, user, key, customer, tags, role, [name, installDir, sudo, nodePath]')
    .requiredOption('--collector <url>', 'collector URL the agents connect to, e.g. wss://collector:8443/agent')
    .option('--enroll-token <token>', "enrollment token (works once, and only for a host of the token's customer: other new hosts get one minted through the API)")
    .option('--concurrency <n>', 'hosts worked on at the same time (default 5)')
    .option('--upgrade', 'replace an installed agent of another version and restart it; point it at --collector if that changed (key, state and spool kept)')
    .option('--uninstall', "revoke the agent's key on the collector, then stop the agent and remove everything deploy installed")
    .option('--known-hosts <file>', 'pinned SSH host keys (default ~/.config/patrol/known_hosts.json)')
    .option('--bundle <file>', `agent tarball (default: the newest dist/patrol-agent-${PATROL_VERSION}+<hash>.tar.gz from npm run build:agent)`)
    .option('--ca-file <pem>', "CA certificate that signed the collector's TLS certificate (wss:// with a private CA): put on every host as installDir/ca.pem, named in agent.json, and trusted by deploy's own API calls")
    .option('--ca-pin <sha256>', "pin of the collector's own CA (sha256:..., from `patrol-collector tls`; env PATROL_CA_PIN): deploy checks the CA against it, trusts it for its API calls, and writes it into each agent.json, so agents pin it (how --upgrade moves agents from ws:// to wss://)")
    .option('--insecure', 'let the agents use plain ws:// to another machine (they refuse it otherwise)')
    .option('--allow-command-dir <dir>', "a folder whose programs the collector may have the agents run, besides the monitoring-plugins folders (repeat for more; written into each agent.json as allowCommandDirs)", collect, [])
    .option('--allow-command <line>', "an exact command line the agents may run, words split at spaces, e.g. '/opt/acme/check_queue -w 5' (repeat for more; agent.json allowCommands)", collect, [])
    .option('--api-url <url>', 'collector API base URL (env PATROL_URL; default from --collector); auth: PATROL_USER / PATROL_PASSWORD')
    .option('--no-wait', "do not wait for the collector to list the agents online (nor set the inventory's tags on it)")
    .option('--online-timeout <sec>', 'how long to wait for each agent to come online (default 90)')
    .action(async (raw: Record<string, unknown>) => {
      const parsed = DeployFlagsSchema.safeParse({ ...raw, apiUrl: raw.apiUrl ?? process.env.PATROL_URL, caPin: raw.caPin ?? (process.env.PATROL_CA_PIN || undefined) });
      if (!parsed.success) {
        console.error(`patrol deploy: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
        process.exit(2);
      }
      const f = parsed.data;
      const mode: DeployMode = f.uninstall ? 'uninstall' : f.upgrade ? 'upgrade' : 'install';
      const plain = mode === 'uninstall' ? undefined : plainCollectorProblem(f.collector, f.insecure);
      if (plain) {
        console.error(`patrol deploy: ${plain}`);
        process.exit(2);
      }
      let hosts, bundle, caPem, trust: DeployTrust;
      try {
        hosts = loadInventory(f.inventory);
        bundle = openBundle(f.bundle ?? defaultBundlePath(PATROL_VERSION));
        caPem = f.caFile === undefined ? undefined : readCaFile(f.caFile);
        trust = await resolveDeployTrust({ collectorUrl: f.collector, caPem, caPin: f.caPin, enrollToken: f.enrollToken });
      } catch (err) {
        console.error(`patrol deploy: ${(err as Error).message}`);
        process.exit(2);
      }
      const api = new CollectorApi({
        url: f.apiUrl ?? apiUrlFromCollector(f.collector),
        user: process.env.PATROL_USER,
        password: process.env.PATROL_PASSWORD,
        ca: trust.apiCa,
      });
      if (mode !== 'uninstall' && f.wait && !api.hasCredentials) {
        console.error('patrol deploy: set PATROL_USER and PATROL_PASSWORD (to see the agents come online), or pass --no-wait');
        process.exit(2);
      }
      console.error(`patrol deploy: ${mode} agent ${bundle.version} on ${hosts.length} host(s), ${f.concurrency} at a time`);
      const results = await runDeploy({
        hosts,
        bundle,
        mode,
        collectorUrl: f.collector,
        enrollToken: f.enrollToken,
        caPem,
        caPin: trust.caPin,
        insecure: f.insecure,
        api,
        knownHosts: new KnownHosts(f.knownHosts),
        concurrency: f.concurrency,
        noWait: !f.wait,
        onlineTimeoutMs: f.onlineTimeout * 1000,
        progress: (host, message) => console.error(`[${host}] ${message}`),
        allowList: { commandDirs: f.allowCommandDir, commands: f.allowCommand },
      });
      console.log(formatResultTable(results));
      process.exitCode = results.every((r) => r.ok) ? 0 : 1;
    });
}

/** The --ca-file PEM, checked to hold a certificate (and no private key: it is copied to every host, 0644). */
function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read --ca-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--ca-file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error(`--ca-file ${path} holds a private key: give the CA certificate alone`);
  return pem;
}

/** Commander's way to take a repeated option as a list. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
