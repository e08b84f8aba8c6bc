import { isIP } from 'node:net';

/**
 * Whether a host name or address (as a URL's hostname gives it, IPv6 in brackets or not) means this machine
 * through its loopback interface: `localhost`, 127.0.0.0/8, ::1, and IPv4-mapped ::ffff:127.x. Traffic to these
 * never leaves the machine, so plain text there is allowed (`npm start`, tests); anywhere else it is not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  // Only the exact name: other *.localhost names go to whatever resolver is configured.
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    const expanded = new URL(`http://[${h}]/`).hostname.slice(1, -1);
    if (expanded === '::1') return true;
    // ::ffff:127.0.0.1 comes back from URL as ::ffff:7f00:1
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(expanded);
    return mapped ? parseInt(mapped[1]!, 16) >> 8 === 127 : false;
  }
  return false;
}
