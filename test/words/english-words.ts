/**
 * English words left in a Chinese text. Units, protocols, products and the names of settings and files are
 * allowed (an engineer reads them as they are); paths, host names, addresses and other values are taken out
 * before looking, as are the plain English of a value the check could not translate (an OS error), which the
 * caller leaves out of what it scans.
 */
export const ALLOWED = new Set([
  // Units.
  'ms', 's', 'KiB', 'MiB', 'GiB', 'Mbit',
  // Protocols, products and the names of their parts.
  'CPU', 'TCP', 'HTTP', 'HTTPS', 'TLS', 'DNS', 'NXDOMAIN', 'SNMP', 'NTP', 'SSH', 'PING', 'PID', 'RSS', 'inode', 'IO', 'SQL', 'WAL',
  'PostgreSQL', 'MySQL', 'MariaDB', 'InnoDB', 'Redis', 'Agent', 'systemd', 'systemctl', 'ps', 'stat', 'ping', 'shell', 'negate',
  'sysUpTime', 'maxmemory', 'ID', 'UID', 'root',
  // Settings and files named in rules (the user types these names).
  'passwordEnv', 'allowCommandDirs', 'allowCommands', 'allowLocalAddresses', 'agent.env', 'ssh-keys', 'customer', 'PATROL_', 'PATROL_CHECK_',
]);

/** Paths, addresses with ports, key-like ids (a.b.c), and placeholders like <customer> are values, not words. */
const VALUES = /(?:\/[^\s，。：；（）、]*|\b[\w.-]+:\d+\b|\b[a-z]+(?:\.[a-z][\w-]*)+\b)/g;

export function englishWordsIn(text: string): string[] {
  const stripped = text.replace(VALUES, ' ');
  return (stripped.match(/[A-Za-z][A-Za-z_*'-]*/g) ?? []).map((w) => w.replace(/\*+$/, '')).filter((w) => !ALLOWED.has(w));
}
