import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let aptUpdated = false;

/**
 * Make sure a Debian package's binary is present. As root, install it (apt-get update once, then
 * apt-get install -y); otherwise fail with a message that names the package, so the reader knows what to do.
 */
export function ensureDebianPackage(pkg: string, binary: string): string {
  if (existsSync(binary)) return binary;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(`${binary} is missing: install the Debian package '${pkg}' (apt-get install -y ${pkg}) or run the tests as root`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    if (!aptUpdated) {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 300_000 });
      aptUpdated = true;
    }
    execFileSync('apt-get', ['install', '-y', pkg], { stdio: 'ignore', env, timeout: 600_000 });
  } catch (err) {
    throw new Error(`could not install the Debian package '${pkg}' for ${binary}: ${(err as Error).message}`);
  }
  if (!existsSync(binary)) throw new Error(`installed '${pkg}' but ${binary} is still missing`);
  return binary;
}
