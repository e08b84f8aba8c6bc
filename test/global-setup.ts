import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The Debian packages whose real servers and tools the suite runs, with a binary that proves each is there.
 * Installed here once, in one apt-get call, before any test file starts: two test files installing at the
 * same time would fight over the dpkg lock.
 */
export const DEBIAN_PACKAGES: Array<[pkg: string, binary: string]> = [
  ['influxdb', '/usr/bin/influxd'],
  ['openssh-server', '/usr/sbin/sshd'],
  ['openssh-client', '/usr/bin/ssh-keygen'],
  ['snmpd', '/usr/sbin/snmpd'],
  ['snmp', '/usr/bin/snmpget'],
  ['chromium', '/usr/bin/chromium'],
  ['postgresql', '/usr/lib/postgresql/15/bin/postgres'],
  ['mariadb-server', '/usr/sbin/mariadbd'],
  ['redis-server', '/usr/bin/redis-server'],
  ['monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_disk'],
  ['fonts-wqy-microhei', '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'],
  ['poppler-utils', '/usr/bin/pdftoppm'],
  ['iputils-ping', '/usr/bin/ping'],
  ['openssl', '/usr/bin/openssl'],
  ['cron', '/usr/bin/crontab'],
  ['victoria-metrics', '/usr/bin/victoria-metrics'],
  ['dovecot-imapd', '/usr/sbin/dovecot'],
];

export default function setup(): void {
  const missing = DEBIAN_PACKAGES.filter(([, bin]) => !existsSync(bin)).map(([pkg]) => pkg);
  if (!missing.length) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.warn(`[setup] missing Debian packages (tests that need them will fail naming them): ${missing.join(' ')}`);
    return;
  }
  console.log(`[setup] installing Debian packages: ${missing.join(' ')} (first run on a new machine takes a few minutes)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for another apt-get (a second vitest run, a bench) instead of failing on its lock.
  const waitForLock = ['-o', 'DPkg::Lock::Timeout=900'];
  execFileSync('apt-get', [...waitForLock, 'update'], { stdio: 'inherit', env, timeout: 1_000_000 });
  execFileSync('apt-get', [...waitForLock, 'install', '-y', ...missing], { stdio: 'inherit', env, timeout: 1_800_000 });
}
