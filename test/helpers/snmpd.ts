import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { ensureDebianPackage } from './system-packages.js';
import { waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';
import { stopChild } from './processes.js';

export interface RunningSnmpd {
  host: string;
  port: number;
  /** The read-only v2c community this agent answers. */
  community: string;
  /** SIGTERM, wait for exit, delete the folder; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A real net-snmp agent (Debian 'snmpd') on a free loopback UDP port, showing this machine's own interface,
 * HOST-RESOURCES and system tables. The address goes in the config only: on the command line too, snmpd
 * exits with "Error opening specified endpoint".
 */
export async function startSnmpd(): Promise<RunningSnmpd> {
  const bin = ensureDebianPackage('snmpd', '/usr/sbin/snmpd');
  const dir = tempDir('snmpd');
  const port = await freeUdpPort();
  const community = 'public';
  const conf = join(dir.path, 'snmpd.conf');
  const log = join(dir.path, 'snmpd.log');
  writeFileSync(conf, `agentAddress udp:127.0.0.1:${port}\nrocommunity ${community} 127.0.0.1\n`);
  // -C: only our config (not /etc/snmp); MIBS empty: no MIB files are needed and none are installed.
  const child = spawn(bin, ['-f', '-Lf', log, '-C', '-c', conf, '-p', join(dir.path, 'snmpd.pid')], {
    stdio: 'ignore',
    env: { ...process.env, MIBS: '', SNMPCONFPATH: dir.path },
  });
  const stop = async () => {
    await stopChild(child);
    dir.remove();
  };
  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`snmpd exited with ${child.exitCode}: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-1000) : ''}`);
      return existsSync(log) && readFileSync(log, 'utf8').includes('NET-SNMP version');
    }, 'snmpd to start');
  } catch (err) {
    await stop();
    throw err;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    community,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stop();
    },
  };
}

/** A UDP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}
