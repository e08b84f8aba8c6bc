import { execFileSync, spawn } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ensureDebianPackage } from '../../helpers/system-packages.js';
import { stopChild } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/temp-dir.js';

export interface IsolatedSnmpd {
  /** Where the check sends its requests: a UDP port on this machine's loopback. */
  host: string;
  port: number;
  community: string;
  /** A read-write community, for setting ifAlias as an engineer does on a switch. */
  writeCommunity: string;
  /** Runs `ip` inside the namespace (`ip('link', 'set', 'va1', 'down')`). */
  ip(...args: string[]): void;
  /** Adds veth pairs va<n>/vb<n> for n = 1..count, both ends up. */
  addVethPairs(count: number): void;
  stop(): Promise<void>;
}

/**
 * The child in the namespace: brings up lo, starts snmpd on it, and carries datagrams between snmpd and a Unix
 * socket (a file, so it crosses network namespaces) with a 2-byte length before each one.
 */
const CHILD = `
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [sockPath, dir, snmpdBin, ipBin] = process.argv.slice(2);
execFileSync(ipBin, ['link', 'set', 'lo', 'up']);
const conf = join(dir, 'snmpd.conf');
const log = join(dir, 'snmpd.log');
writeFileSync(conf, 'agentAddress udp:127.0.0.1:161\\nrocommunity public 127.0.0.1\\nrwcommunity private 127.0.0.1\\n');
const snmpd = spawn(snmpdBin, ['-f', '-Lf', log, '-C', '-c', conf, '-p', join(dir, 'snmpd.pid')], { stdio: 'ignore', env: { ...process.env, MIBS: '', SNMPCONFPATH: dir, SNMP_PERSISTENT_DIR: dir } });
process.on('SIGTERM', () => { snmpd.kill('SIGTERM'); snmpd.once('exit', () => process.exit(0)); });
snmpd.once('exit', (code) => { process.stderr.write('snmpd exited with ' + code + '\\n'); process.exit(1); });
while (!(existsSync(log) && readFileSync(log, 'utf8').includes('NET-SNMP version'))) await new Promise((r) => setTimeout(r, 50));
const udp = createSocket('udp4');
await new Promise((r) => udp.bind(0, '127.0.0.1', r));
const server = createServer((conn) => {
  let buf = Buffer.alloc(0);
  conn.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      udp.send(buf.subarray(2, 2 + buf.readUInt16BE(0)), 161, '127.0.0.1');
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
  });
  udp.on('message', (msg) => { const len = Buffer.alloc(2); len.writeUInt16BE(msg.length); conn.write(Buffer.concat([len, msg])); });
});
server.listen(sockPath, () => process.stdout.write('ready\\n'));
`;

/**
 * A real snmpd in a network namespace of its own, where a test may add 100 interfaces and pull links down
 * without touching this machine's interface table (which other test files read at the same time). Needs root,
 * as the veth test always did.
 */
export async function startIsolatedSnmpd(): Promise<IsolatedSnmpd> {
  const snmpdBin = ensureDebianPackage('snmpd', '/usr/sbin/snmpd');
  const ipBin = ensureDebianPackage('iproute2', '/usr/sbin/ip');
  const dir = tempDir('snmpd-netns');
  const script = join(dir.path, 'child.mjs');
  const sockPath = join(dir.path, 'snmp.sock');
  writeFileSync(script, CHILD);
  // unshare without --fork execs node itself: its pid is the namespace's process for nsenter.
  const child = spawn('unshare', ['--net', process.execPath, script, sockPath, dir.path, snmpdBin, ipBin], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const cleanup = async () => {
    await stopChild(child);
    dir.remove();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`snmpd in a namespace did not start: ${stderr}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`snmpd in a namespace exited with ${code}: ${stderr}`));
      });
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const pipe = connect(sockPath);
  const front = createSocket('udp4');
  let client: RemoteInfo | undefined;
  front.on('message', (msg, rinfo) => {
    client = rinfo;
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    pipe.write(Buffer.concat([len, msg]));
  });
  let buf = Buffer.alloc(0);
  pipe.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      if (client) front.send(buf.subarray(2, 2 + buf.readUInt16BE(0)), client.port, client.address);
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', () => resolve()));
  const ip = (...args: string[]) => {
    execFileSync('nsenter', [`--net=/proc/${child.pid}/ns/net`, ipBin, ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  };
  let stopped = false;
  return {
    host: '127.0.0.1',
    port: front.address().port,
    community: 'public',
    writeCommunity: 'private',
    ip,
    addVethPairs(count) {
      const lines = Array.from({ length: count }, (_, k) => `link add va${k + 1} type veth peer name vb${k + 1}\nlink set va${k + 1} up\nlink set vb${k + 1} up`);
      execFileSync('nsenter', [`--net=/proc/${child.pid}/ns/net`, ipBin, '-batch', '-'], { input: lines.join('\n') + '\n' });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      pipe.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await cleanup();
    },
  };
}
