/**
 * Memory of each interface's link between polls, so that a link that broke is a problem and a port that has
 * never had anything plugged in is not. An access switch ships with every port admin up; judging "admin up but
 * oper down" by itself made such a switch CRITICAL from its first poll, forever. As Zabbix does, a problem here
 * is a CHANGE: the link was up at an earlier poll and is down now. It stays a problem on every poll until the
 * link is back (the ticket must stay open until then), and shutting the port (admin down) forgets it.
 */

/** ifOperStatus values (IF-MIB) that mean "no link": down, notPresent (module or SFP pulled), lowerLayerDown. */
const NO_LINK = new Set([2, 6, 7]);
const OPER_UP = 1;

/** What one run remembers of one interface (JSON-safe; kept in the check state under `links`). */
export interface LinkMemory {
  operStatus: number;
  /** The link was up at some poll since the port was last admin down (or since it was first seen). */
  upSeen: boolean;
  /** When a poll first found it down after it had been up (epoch ms); cleared when the link is back. */
  lostAt?: number;
}

export interface LinkSample {
  /** Interface name (unique within the device; see linkKey). */
  key: string;
  adminUp: boolean;
  operStatus: number;
}

export interface LinkVerdict {
  /** Admin up and without link, whether or not it was ever up (the `interfaces_down` figure). */
  noLink: boolean;
  /** Admin up, without link now, and up at an earlier poll: a link that broke and has not come back. */
  lost: boolean;
  /** Set when lost: when a poll first saw it down. */
  lostAt?: number;
}

/**
 * Next memory and a verdict per interface. Interfaces missing from this poll are forgotten (a removed virtual
 * interface or module row is no link loss; a pulled SFP shows as notPresent and stays in the table).
 */
export function followLinks(previous: Record<string, LinkMemory> | undefined, samples: LinkSample[], now: number): { memory: Record<string, LinkMemory>; verdicts: Map<string, LinkVerdict> } {
  const memory: Record<string, LinkMemory> = {};
  const verdicts = new Map<string, LinkVerdict>();
  for (const s of samples) {
    const before = previous?.[s.key];
    const noLink = s.adminUp && NO_LINK.has(s.operStatus);
    if (!s.adminUp) {
      // Shut on purpose: when it is enabled again with nothing plugged in, that is not a broken link.
      memory[s.key] = { operStatus: s.operStatus, upSeen: false };
      verdicts.set(s.key, { noLink: false, lost: false });
    } else if (s.operStatus === OPER_UP) {
      memory[s.key] = { operStatus: s.operStatus, upSeen: true };
      verdicts.set(s.key, { noLink: false, lost: false });
    } else if (noLink && before?.upSeen) {
      const lostAt = before.lostAt ?? now;
      memory[s.key] = { operStatus: s.operStatus, upSeen: true, lostAt };
      verdicts.set(s.key, { noLink: true, lost: true, lostAt });
    } else {
      // Never up (an empty port: metrics only), or testing/dormant/unknown: neither up nor down, keep what was known.
      memory[s.key] = { operStatus: s.operStatus, upSeen: before?.upSeen ?? false };
      verdicts.set(s.key, { noLink, lost: false });
    }
  }
  return { memory, verdicts };
}

/** The key an interface is remembered by: its name, which survives ifIndex renumbering after a reboot; the
 * ifIndex is added only where a device gives two interfaces the same name. */
export function linkKeys(rows: Array<{ index: string; name: string }>): Map<string, string> {
  const seen = new Set<string>();
  const keys = new Map<string, string>();
  for (const r of rows) {
    const key = seen.has(r.name) ? `${r.name}#${r.index}` : r.name;
    seen.add(r.name);
    keys.set(r.index, key);
  }
  return keys;
}
