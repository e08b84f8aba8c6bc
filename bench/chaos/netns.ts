import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

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
 * kernel has sch_netem, else latency is added by the relay (a kernel without netem cannot lose packets for us).
 * The agents there reach the collector (listening on loopback) through a relay on 10.231.0.1. Needs root.
 */
export class ChaosNetns {
  readonly name = 'patrol-chaos';
  readonly hostIp = '10.231.0.1';
  private readonly dev = 'pcv0';
  private relay?: Server;
  private readonly sockets = new Set<Socket>();
  /** Added by the relay per direction when the kernel has no netem. */
  relayDelayMs = 0;
  netem: 'kernel' | 'relay' | 'none' = 'none';

  setUp(): void {
    this.tearDown();
    run('ip', 'netns', 'add', this.name);
    run('ip', 'link', 'add', this.dev, 'type', 'veth', 'peer', 'name', 'pcv1');
    run('ip', 'link', 'set', 'pcv1', 'netns', this.name);
    run('ip', 'addr', 'add', `${this.hostIp}/24`, 'dev', this.dev);
    run('ip', 'link', 'set', this.dev, 'up');
    run('ip', 'netns', 'exec', this.name, 'ip', 'addr', 'add', '10.231.0.2/24', 'dev', 'pcv1');
    run('ip', 'netns', 'exec', this.name, 'ip', 'link', 'set', 'pcv1', 'up');
    run('ip', 'netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up');
  }

  /** Loss and latency on the link: kernel netem if there is one, else latency in the relay. */
  impair(o: { delayMs: number; lossPct: number }): string {
    if (tryRun('tc', 'qdisc', 'replace', 'dev', this.dev, 'root', 'netem', 'delay', `${o.delayMs}ms`, `${Math.round(o.delayMs / 5)}ms`, 'loss', `${o.lossPct}%`)) {
      this.netem = 'kernel';
      return `tc netem: delay ${o.delayMs} ms ± ${Math.round(o.delayMs / 5)} ms, loss ${o.lossPct}%`;
    }
    this.netem = 'relay';
    this.relayDelayMs = o.delayMs;
    return `no sch_netem in this kernel: ${o.delayMs} ms latency each way added by the relay, no packet loss`;
  }

  clearImpairment(): void {
    if (this.netem === 'kernel') tryRun('tc', 'qdisc', 'del', 'dev', this.dev, 'root');
    this.relayDelayMs = 0;
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
