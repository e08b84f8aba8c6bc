import { Command } from 'commander';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, ConfigError } from '../shared/config-file.js';
import { createLogger } from '../shared/logger.js';
import { PATROL_VERSION } from '../shared/version.js';
import { Agent } from './agent.js';
import { ExecAllowListSchema } from '../checks/exec/exec-policy.js';
import { DEFAULT_MAX_RSS_MB, startMemoryWatchdog } from './memory-watchdog.js';

const log = createLogger('agent.cli');

const AgentConfigSchema = z.object({
  collector: z.string().regex(/^wss?:\/\//, 'a wss:// URL, e.g. wss://collector:8080/agent (ws:// only to this machine, or with --insecure)'),
  stateDir: z.string().default(join(homedir(), '.patrol-agent')),
  enroll: z.string().optional(),
  name: z.string().optional(),
  spoolLimitMb: z.coerce.number().positive().default(100),
  caFile: z.string().optional(),
  caPin: z.string().optional(),
  insecure: z.union([z.boolean(), z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true')]).default(false),
  /** Memory cap: above it (three readings 30 s apart) the agent stops so its service manager restarts it. */
  maxRssMb: z.coerce.number().min(32).default(DEFAULT_MAX_RSS_MB),
  // Only from the file, never from the environment or the collector: what this host lets the collector run.
  ...ExecAllowListSchema.shape,
});

const program = new Command('patrol-agent')
  .description('Patrol agent: runs health checks on this host and streams them to a Patrol collector')
  .version(PATROL_VERSION)
  .option('--collector <url>', 'collector WebSocket URL, e.g. wss://collector:8080/agent (env PATROL_COLLECTOR)')
  .option('--enroll <token>', 'one-time enrollment token from `patrol-collector enroll` (first start only)')
  .option('--state-dir <dir>', 'where the key, spool and check state live (env PATROL_AGENT_STATE_DIR, default ~/.patrol-agent)')
  .option('--name <hostname>', 'host name to report (default: this machine\'s hostname)')
  .option('--spool-limit-mb <n>', 'disk spool limit in MB (default 100)')
  .option('--ca-file <pem>', 'CA certificate that signed the collector\'s TLS certificate (wss:// with a private CA; env PATROL_CA_FILE)')
  .option('--ca-pin <sha256>', 'pin of the collector\'s CA (sha256:..., from `patrol-collector tls`): fetched, checked and kept in the state folder; tokens made by the collector carry it already (env PATROL_CA_PIN)')
  .option('--insecure', 'allow plain ws:// to another machine: the agent key and everything sent can be read and changed on the way')
  .option('--config <file>', 'JSON config file (agent.json) with the same keys (collector, stateDir, enroll, name, spoolLimitMb), and allowCommandDirs / allowCommands: what the collector may run on this host besides the monitoring-plugins folders')
  .action(async (o: Record<string, string | undefined>) => {
    let config: z.infer<typeof AgentConfigSchema>;
    try {
      config = loadConfig(AgentConfigSchema, {
        file: o.config,
        env: { collector: 'PATROL_COLLECTOR', stateDir: 'PATROL_AGENT_STATE_DIR', enroll: 'PATROL_ENROLL_TOKEN', name: 'PATROL_AGENT_NAME', caFile: 'PATROL_CA_FILE', caPin: 'PATROL_CA_PIN', maxRssMb: 'PATROL_AGENT_MAX_RSS_MB' },
        overrides: { collector: o.collector, stateDir: o.stateDir, enroll: o.enroll, name: o.name, spoolLimitMb: o.spoolLimitMb, caFile: o.caFile, caPin: o.caPin, insecure: o.insecure },
      });
    } catch (err) {
      console.error(`patrol-agent: ${(err as Error).message}`);
      process.exit(2);
    }
    const agent = new Agent({
      collectorUrl: config.collector,
      stateDir: config.stateDir,
      enrollToken: config.enroll,
      name: config.name,
      spoolLimitBytes: config.spoolLimitMb * 1024 * 1024,
      caFile: config.caFile,
      caPin: config.caPin,
      insecure: config.insecure,
      execAllowList: { allowCommandDirs: config.allowCommandDirs, allowCommands: config.allowCommands },
      configFile: o.config === undefined ? undefined : resolve(o.config),
    });
    try {
      await agent.start();
    } catch (err) {
      console.error(`patrol-agent: ${(err as Error).message}`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    }
    log.info({ collector: config.collector, stateDir: config.stateDir, version: PATROL_VERSION }, 'agent running');
    const shutdown = async (signal: string, exitCode = 0) => {
      log.info({ signal }, 'stopping');
      await agent.stop();
      process.exit(exitCode);
    };
    startMemoryWatchdog({
      maxRssBytes: config.maxRssMb * 1024 * 1024,
      onExceeded: (rssBytes) => {
        log.error({ rssMb: Math.round(rssBytes / 1048576), maxRssMb: config.maxRssMb }, 'memory cap exceeded: stopping so the service manager restarts the agent');
        // 75 (EX_TEMPFAIL): not a clean stop, so the restart shows in systemctl status and the log.
        void shutdown('memory cap', 75);
      },
    });
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  });

await program.parseAsync(process.argv);
