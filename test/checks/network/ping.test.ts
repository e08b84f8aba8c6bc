import { beforeAll, describe, expect, test } from 'vitest';
import ping, { parsePingOutput } from '../../../checks/network/ping.js';
import { runCheck, testCheckContext } from '../../helpers/check-context.js';
import { ensureDebianPackage } from '../../helpers/system-packages.js';

beforeAll(() => {
  ensureDebianPackage('iputils-ping', '/usr/bin/ping');
});

describe('network.ping', () => {
  test('127.0.0.1 answers every packet: OK, 0% loss, real rtt figures', async () => {
    const r = await runCheck(ping, testCheckContext(), { host: '127.0.0.1', count: 3 });
    expect(r.status).toBe('OK');
    const f = r.metrics![0]!.fields;
    expect(f).toMatchObject({ transmitted: 3, received: 3, loss_pct: 0 });
    expect(f.rtt_min_sec).toBeGreaterThan(0);
    expect(f.rtt_min_sec as number).toBeLessThanOrEqual(f.rtt_avg_sec as number);
    expect(f.rtt_avg_sec as number).toBeLessThanOrEqual(f.rtt_max_sec as number);
  });

  test('an rtt threshold below the measured one trips it', async () => {
    const r = await runCheck(ping, testCheckContext(), { host: '127.0.0.1', count: 2, warnRttMs: 0.000001, critRttMs: 1000 });
    expect(r.status).toBe('WARNING');
  });

  test('a host name that looks like an option is refused by the schema', () => {
    expect(ping.params.safeParse({ host: '-f' }).success).toBe(false);
  });

  test('parses loss and no-reply output of iputils', () => {
    const lost = 'PING 10.9.9.9 (10.9.9.9) 56(84) bytes of data.\n\n--- 10.9.9.9 ping statistics ---\n5 packets transmitted, 0 received, 100% packet loss, time 4099ms\n';
    expect(parsePingOutput(lost)).toEqual({ transmitted: 5, received: 0, lossPct: 100, rttMinMs: null, rttAvgMs: null, rttMaxMs: null });
    const partial = '--- h ping statistics ---\n4 packets transmitted, 3 received, 25% packet loss, time 3004ms\nrtt min/avg/max/mdev = 0.310/0.402/0.551/0.090 ms\n';
    expect(parsePingOutput(partial)).toEqual({ transmitted: 4, received: 3, lossPct: 25, rttMinMs: 0.31, rttAvgMs: 0.402, rttMaxMs: 0.551 });
    const busybox = '--- h ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms\n';
    expect(parsePingOutput(busybox)).toMatchObject({ received: 2, rttAvgMs: 0.2 });
  });
});
