import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckAssignmentSchema, type CheckAssignment } from '../shared/assignment.js';
import type { CheckState } from '../checks/define.js';
import { createLogger } from '../shared/logger.js';
import { certificatePin, formatPin, parsePin, type PinnedCa } from '../shared/tls-pin.js';
import { writeFileAtomic } from '../shared/write-atomic.js';

const log = createLogger('agent.state');

export const CredentialsSchema = z.object({
  agentId: z.string().min(1),
  agentKey: z.string().min(10),
  hostId: z.string().min(1),
  customerId: z.string().min(1),
  collectorUrl: z.string(),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

/** collector-ca.json: the collector's CA this agent pinned (at enrollment, or when told a pin), with that pin. */
export const PINNED_CA_FILE = 'collector-ca.json';
const PinnedCaFileSchema = z.object({ pin: z.string(), caPem: z.string().includes('-----BEGIN CERTIFICATE-----') });

/**
 * The agent's state folder: credentials.json (0600: holds the agent key), the last assignment (so a
 * restarted agent keeps checking while the collector is away), per-check memory, and the spool/ folder.
 */
export class StateDir {
  constructor(readonly path: string) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
  }

  get spoolDir(): string {
    return join(this.path, 'spool');
  }

  readCredentials(): Credentials | undefined {
    let text: string;
    try {
      text = readFileSync(join(this.path, 'credentials.json'), 'utf8');
    } catch {
      return undefined;
    }
    const parsed = CredentialsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${join(this.path, 'credentials.json')} is damaged; remove it and enroll again`);
    return parsed.data;
  }

  writeCredentials(c: Credentials): void {
    writeFileAtomic(join(this.path, 'credentials.json'), JSON.stringify(c, null, 2), 0o600);
  }

  /** The pinned collector CA, checked against its pin (a file that does not match is refused, never trusted). */
  readPinnedCa(): PinnedCa | undefined {
    const file = join(this.path, PINNED_CA_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const f = PinnedCaFileSchema.parse(JSON.parse(text));
      const pin = parsePin(f.pin);
      if (!certificatePin(f.caPem).equals(pin)) throw new Error('the certificate does not match its pin');
      return { caPem: f.caPem, pin };
    } catch (err) {
      throw new Error(`${file} is damaged (${(err as Error).message}); remove it and start with --ca-pin, or enroll again`);
    }
  }

  writePinnedCa(ca: PinnedCa): void {
    writeFileAtomic(join(this.path, PINNED_CA_FILE), JSON.stringify({ pin: formatPin(ca.pin), caPem: ca.caPem }, null, 2), 0o600);
  }

  readAssignments(): CheckAssignment[] | undefined {
    try {
      return z.array(CheckAssignmentSchema).parse(JSON.parse(readFileSync(join(this.path, 'assignments.json'), 'utf8')));
    } catch {
      return undefined;
    }
  }

  writeAssignments(a: readonly CheckAssignment[]): void {
    writeFileAtomic(join(this.path, 'assignments.json'), JSON.stringify(a), 0o600);
  }

  /**
   * Per-check memory, persisted so rates and reboot detection survive agent restarts: `flushDelayMs` after a change
   * (debounced), or, with null, whenever the owner calls flush (the agent does with each batch it spools, so saving
   * the state wakes the process no extra time). flush writes only what changed since the last one.
   */
  checkStates(opts: { flushDelayMs?: number | null } = {}): { stateFor(name: string): CheckState; flush(): void } {
    const file = join(this.path, 'check-state.json');
    const delayMs = opts.flushDelayMs === undefined ? 2000 : opts.flushDelayMs;
    let all: Record<string, Record<string, unknown>> = {};
    try {
      all = z.record(z.string(), z.record(z.string(), z.unknown())).parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      // none yet
    }
    let timer: NodeJS.Timeout | undefined;
    let dirty = false;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (!dirty) return;
      dirty = false;
      try {
        writeFileAtomic(file, JSON.stringify(all), 0o600);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not save check state');
      }
    };
    return {
      stateFor: (name) => ({
        get: <T>(key: string) => all[name]?.[key] as T | undefined,
        set: (key, value) => {
          (all[name] ??= {})[key] = value;
          dirty = true;
          if (delayMs === null) return;
          timer ??= setTimeout(flush, delayMs);
          timer.unref?.();
        },
      }),
      flush,
    };
  }
}
