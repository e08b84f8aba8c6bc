import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { HostFacts } from '../shared/host-facts.js';

/** /etc/os-release PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)"; falls back to the kernel's name. */
function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m?.[1]) return m[1];
  } catch {
    // not Linux, or a minimal container
  }
  return `${os.type()} ${os.release()}`;
}

export function localHostFacts(name?: string): HostFacts {
  return {
    hostname: name ?? os.hostname(),
    os: osName(),
    kernel: os.release(),
    arch: os.arch(),
    cpuCores: os.cpus().length,
    memoryBytes: os.totalmem(),
  };
}
