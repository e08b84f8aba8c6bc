import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ensureDebianPackage } from '../servers/system-packages.js';

const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
const tryRun = (cmd: string, ...args: string[]) => {
  try {
    run(cmd, ...args);
    return true;
  } catch {
    return false;
  }
};

/**
 * A network namespace joined to this one by a veth pair (10.231.0.1 here, 10.231.0.2 there), for agents cut off
 * from the collector: `ip link set down` is the partition; loss and latency come from `tc netem` on the veth when the
 * kernel has sch_netem. Without it (this machine's kernel), packets are lost by an nftables rule inside the namespace
 * (`numgen random`, both directions: the kernel drops them, TCP retransmits as over a lossy line) and latency is added
 * by the relay. The agents there reach the collector (listening on loopback) through a relay on 10.231.0.1. Needs root.
 */
export class ChaosNetns {
  readonly name = 'patrol-chaos';
  readonly hostIp = '10.231.0.1';
  private readonly dev = 'pcv0';
  private readonly peerDev = 'pcv1';
  private relay?: Server;
  private readonly sockets = new Set<Socket>();
  /** Added by the relay per direction when the kernel has no netem. */
  relayDelayMs = 0;
  netem: 'kernel' | 'nftables' | 'none' = 'none';

  setUp(): void {
    this.tearDown();
    run('ip', 'netns', 'add', this.name);
    run('ip', 'link', 'add', this.dev, 'type', 'veth', 'peer', 'name', this.peerDev);
    run('ip', 'link', 'set', this.peerDev, 'netns', this.name);
    run('ip', 'addr', 'add', `${this.hostIp}/24`, 'dev', this.dev);
    run('ip', 'link', 'set', this.dev, 'up');
    run('ip', 'netns', 'exec', this.name, 'ip', 'addr', 'add', '10.231.0.2/24', 'dev', this.peerDev);
    run('ip', 'netns', 'exec', this.name, 'ip', 'link', 'set', this.peerDev, 'up');
    run('ip', 'netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up');
  }

  /** Loss and latency on the link: kernel netem if there is one, else nftables loss and the relay's latency. */
  impair(o: { delayMs: number; lossPct: number }): string {
    if (tryRun('tc', 'qdisc', 'replace', 'dev', this.dev, 'root', 'netem', 'delay', `${o.delayMs}ms`, `${Math.round(o.delayMs / 5)}ms`, 'loss', `${o.lossPct}%`)) {
      this.netem = 'kernel';
      return `tc netem: delay ${o.delayMs} ms ± ${Math.round(o.delayMs / 5)} ms, loss ${o.lossPct}%`;
    }
    this.netem = 'nftables';
    this.relayDelayMs = o.delayMs;
    this.nft(lossRuleset(this.peerDev, o.lossPct));
    return `no sch_netem in this kernel: loss ${o.lossPct}% each way by an nftables rule in the namespace (numgen random), ${o.delayMs} ms latency each way added by the relay`;
  }

  clearImpairment(): void {
    if (this.netem === 'kernel') tryRun('tc', 'qdisc', 'del', 'dev', this.dev, 'root');
    if (this.netem === 'nftables') this.nft(`delete table inet ${NFT_TABLE}\n`);
    this.relayDelayMs = 0;
  }

  /** Packets the namespace's loss rule dropped so far, each way (read from its counters). */
  droppedPackets(): { in: number; out: number } {
    if (this.netem !== 'nftables') return { in: 0, out: 0 };
    const text = execFileSync('ip', ['netns', 'exec', this.name, 'nft', 'list', 'table', 'inet', NFT_TABLE], { encoding: 'utf8' });
    const count = (chain: string) => Number(new RegExp(`chain ${chain} \\{[^}]*?counter packets (\\d+)`).exec(text)?.[1] ?? 0);
    return { in: count('lose_in'), out: count('lose_out') };
  }

  private nft(ruleset: string): void {
    ensureDebianPackage('nftables', '/usr/sbin/nft');
    execFileSync('ip', ['netns', 'exec', this.name, 'nft', '-f', '-'], { input: ruleset, stdio: ['pipe', 'ignore', 'pipe'] });
  }

  /** Partition: the link goes down (packets vanish; no connection is told). */
  partition(on: boolean): void {
    run('ip', 'link', 'set', this.dev, on ? 'down' : 'up');
  }

  /** Forward 10.231.0.1:port to 127.0.0.1:target (the collector), with the relay's latency if any. */
  async startRelay(port: number, target: number): Promise<void> {
    this.relay = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: target });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      const pipe = (from: Socket, to: Socket) => {
        from.on('data', (chunk) => {
          if (this.relayDelayMs) setTimeout(() => to.writable && to.write(chunk), this.relayDelayMs);
          else to.write(chunk);
        });
        from.on('end', () => setTimeout(() => to.end(), this.relayDelayMs));
      };
      pipe(client, upstream);
      pipe(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      this.relay!.once('error', reject);
      this.relay!.listen(port, this.hostIp, () => resolve());
    });
  }

  tearDown(): void {
    this.relay?.close();
    for (const s of this.sockets) s.destroy();
    tryRun('ip', 'link', 'del', this.dev);
    tryRun('ip', 'netns', 'del', this.name);
  }
}

const NFT_TABLE = 'patrol_chaos';

/**
 * An nftables table for the namespace that drops `lossPct` per cent of the packets crossing `dev`, each way, at
 * random (per mille, so 2.5% is 25 of 1,000), counting what it drops.
 */
export function lossRuleset(dev: string, lossPct: number): string {
  const perMille = Math.round(lossPct * 10);
  if (!(perMille >= 0 && perMille <= 1000)) throw new Error(`loss must be 0-100%, not ${lossPct}`);
  return [
    `table inet ${NFT_TABLE} {`,
    `  chain lose_in { type filter hook input priority 0; policy accept; iifname "${dev}" numgen random mod 1000 < ${perMille} counter drop; }`,
    `  chain lose_out { type filter hook output priority 0; policy accept; oifname "${dev}" numgen random mod 1000 < ${perMille} counter drop; }`,
    '}',
    '',
  ].join('\n');
}
