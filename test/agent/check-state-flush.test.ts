import { afterEach, describe, expect, test } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StateDir } from '../../agent/state-dir.js';
import { tempDir } from '../helpers/temp-dir.js';

// The agent saves its checks' memory with each batch it spools, not on a timer of its own (issue 17: every wake-up
// of an idle agent costs CPU); a save writes only when something changed.
describe("the checks' memory saved by its owner", () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  test('with no delay it waits for flush, writes what changed, and survives a restart', async () => {
    const d = tempDir('check-state');
    dirs.push(d);
    const file = join(d.path, 'check-state.json');
    const states = new StateDir(d.path).checkStates({ flushDelayMs: null });
    states.stateFor('system.cpu').set('times', { idle: 1 });
    await new Promise((r) => setTimeout(r, 2100)); // past the default delay: nothing written on its own
    expect(existsSync(file)).toBe(false);
    states.flush();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'system.cpu': { times: { idle: 1 } } });
    const written = statSync(file).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    states.flush(); // nothing changed: not written again
    expect(statSync(file).mtimeMs).toBe(written);
    expect(new StateDir(d.path).checkStates().stateFor('system.cpu').get('times')).toEqual({ idle: 1 });
  });
});
