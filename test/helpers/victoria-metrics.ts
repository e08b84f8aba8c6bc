import { spawn } from 'node:child_process';
import { ensureDebianPackage } from './system-packages.js';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';
import { stopChild } from './processes.js';

/**
 * VictoriaMetrics (Debian 'victoria-metrics') accepts InfluxDB line protocol at /api/v2/write, so it is the
 * real server we can run here for the InfluxDB 2.x write path (Debian's InfluxDB 1.6 has no /api/v2/write).
 */
export async function startVictoriaMetrics(): Promise<{ url: string; export(match: string): Promise<string>; stop(): Promise<void> }> {
  const bin = ensureDebianPackage('victoria-metrics', '/usr/bin/victoria-metrics');
  const dir = tempDir('vm');
  const port = await freePort();
  const child = spawn(bin, [`-storageDataPath=${dir.path}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok, 'victoria-metrics /health', 30_000);
  return {
    url,
    async export(match) {
      await fetch(`${url}/internal/force_flush`).catch(() => undefined);
      return (await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent(match)}`)).text();
    },
    async stop() {
      await stopChild(child);
      dir.remove();
    },
  };
}
