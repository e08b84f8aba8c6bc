import { describe, expect, test } from 'vitest';
import { CHECKS } from '../../checks/index.js';
import { paramLabel } from '../../checks/param-labels.js';
import { pairViolation, thresholdPairs } from '../../checks/param-rules.js';
import { paramDefaults, paramForm } from '../../collector/assignment/param-form.js';
import { thresholdOrderProblem } from '../../collector/assignment/validate.js';
import { checkChanges, savedText } from '../../collector/assignment/save-summary.js';

describe('the form of a check, read from its schema', () => {
  test('system.disk: percentages with bounds, unit and default; lists of mount points', () => {
    const form = paramForm('system.disk')!;
    const warn = form.fields.find((f) => f.name === 'warnPct')!;
    expect(warn).toMatchObject({ kind: 'number', defaultValue: 80, min: 0, max: 100, unit: '%', threshold: true, required: false });
    expect(warn.label).toEqual({ en: 'Disk use warning at', zh: '磁盘使用率警告阈值' });
    expect(form.fields.find((f) => f.name === 'ignoreMounts')).toMatchObject({ kind: 'list', itemKind: 'string', defaultValue: [] });
    expect(form.fields.find((f) => f.name === 'mounts')).toMatchObject({ kind: 'list', required: false });
    expect(form.pairs).toEqual([
      { warn: 'warnPct', crit: 'critPct', worse: 'above' },
      { warn: 'inodeWarnPct', crit: 'inodeCritPct', worse: 'above' },
    ]);
  });

  test('integers, exclusive minimums, enums, switches, required text and nested lists', () => {
    const tcp = paramForm('network.tcp')!;
    expect(tcp.fields.find((f) => f.name === 'port')).toMatchObject({ kind: 'number', integer: true, min: 1, max: 65535, required: true });
    expect(tcp.fields.find((f) => f.name === 'host')).toMatchObject({ kind: 'string', required: true, threshold: false });
    expect(tcp.fields.find((f) => f.name === 'warnMs')).toMatchObject({ unit: 'ms', minExclusive: true, defaultValue: 500 });
    const http = paramForm('network.http')!;
    expect(http.fields.find((f) => f.name === 'method')).toMatchObject({ kind: 'enum', options: ['GET', 'HEAD', 'POST'], defaultValue: 'GET' });
    expect(http.fields.find((f) => f.name === 'verifyTls')).toMatchObject({ kind: 'boolean', defaultValue: true, threshold: true });
    expect(http.fields.find((f) => f.name === 'certWarnDays')).toMatchObject({ unit: 'd', unitText: { en: 'd', zh: '天' } });
    expect(http.fields.find((f) => f.name === 'headers')).toMatchObject({ kind: 'json' });
    expect(paramForm('system.process')!.fields).toMatchObject([{ name: 'processes', kind: 'json', required: true }]);
    expect(paramForm('system.clock')!.fields.find((f) => f.name === 'warnOffsetSec')).toMatchObject({ unit: 's', unitText: { zh: '秒' } });
    expect(paramForm('no.such.check')).toBeUndefined();
  });

  test('every parameter of every check has a label in zh and en', () => {
    const missing: string[] = [];
    for (const [id] of CHECKS) {
      for (const f of paramForm(id)!.fields) {
        const l = paramLabel(id, f.name);
        if (!l?.en || !l.zh) missing.push(`${id}.${f.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('every check runs its defaults in a good order, and the lower-is-worse pairs are the ones where warn > crit by default', () => {
    const below: string[] = [];
    for (const [id] of CHECKS) {
      const pairs = paramForm(id)!.pairs;
      expect(pairViolation(pairs, paramDefaults(id)), id).toBeUndefined();
      below.push(...pairs.filter((p) => p.worse === 'below').map((p) => `${id}.${p.warn}`));
    }
    expect(below.sort()).toEqual(['db.mysql.bufferPoolHitWarnPct', 'network.http.certWarnDays', 'system.file.warnMinBytes']);
  });
});

describe('warning before critical', () => {
  test('a higher-is-worse pair: warn above crit is refused naming both; equal is allowed', () => {
    const p = thresholdOrderProblem({ name: 'disk', checkId: 'system.disk', params: { warnPct: 95, critPct: 80 } })!;
    expect(p.key).toBe('params.warnAboveCrit');
    expect(p.values).toEqual({ check: 'disk', warn: 'warnPct', warnValue: 95, crit: 'critPct', critValue: 80 });
    expect(p.en).toBe('disk: the warning level warnPct (95) must not be above the critical level critPct (80)');
    expect(p.zh).toBe('disk：警告阈值 warnPct（95）不能高于严重阈值 critPct（80）');
    expect(thresholdOrderProblem({ name: 'disk', checkId: 'system.disk', params: { warnPct: 90, critPct: 90 } })).toBeUndefined();
    // Against the default of the other half: CPU's critical default is 95.
    expect(thresholdOrderProblem({ name: 'cpu', checkId: 'system.cpu', params: { warnPct: 96 } })?.values).toMatchObject({ critValue: 95 });
  });

  test('a lower-is-worse pair: certificate days warn 3, crit 14 is refused; file size warn 0 means off', () => {
    expect(thresholdOrderProblem({ name: 'web', checkId: 'network.http', params: { url: 'https://x', certWarnDays: 3, certCritDays: 14 } })?.key).toBe('params.warnBelowCrit');
    expect(thresholdOrderProblem({ name: 'web', checkId: 'network.http', params: { certWarnDays: 30, certCritDays: 7 } })).toBeUndefined();
    expect(thresholdOrderProblem({ name: 'backup', checkId: 'system.file', params: { warnMinBytes: 0, critMinBytes: 1000 } })).toBeUndefined();
    expect(thresholdOrderProblem({ name: 'backup', checkId: 'system.file', params: { warnMinBytes: 10, critMinBytes: 1000 } })).toBeDefined();
    expect(thresholdPairs('db.postgres', ['xidAgeWarn', 'xidAgeCrit', 'locksWaitingWarn'])).toEqual([{ warn: 'xidAgeWarn', crit: 'xidAgeCrit', worse: 'above' }]);
  });
});

test('a save says what changed, as the check runs it, and where it takes effect', () => {
  const before = [{ name: 'disk', checkId: 'system.disk', params: {}, intervalSec: 60 }, { name: 'cpu', checkId: 'system.cpu', params: {}, intervalSec: 60 }];
  const after = [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 85, critPct: 90 }, intervalSec: 120 }, { name: 'mem', checkId: 'system.memory', params: {}, intervalSec: 60 }];
  const changes = checkChanges(before, after);
  // critPct 90 is the default: no change.
  expect(changes).toEqual([
    { check: 'disk', checkId: 'system.disk', param: 'intervalSec', from: 60, to: 120 },
    { check: 'disk', checkId: 'system.disk', param: 'warnPct', from: 80, to: 85 },
    { check: 'mem', checkId: 'system.memory', param: '', to: 'added' },
    { check: 'cpu', checkId: 'system.cpu', param: '', from: 'removed' },
  ]);
  const text = savedText(changes, { pushed: 3, offline: 1, agentless: 0 });
  expect(text.en).toContain('disk: Disk use warning at (warnPct) 80 % → 85 %');
  expect(text.en).toContain('Pushed to 3 running agents.');
  expect(text.en).toContain('Takes effect when the agent reconnects.');
  expect(text.zh).toContain('disk：磁盘使用率警告阈值（warnPct）80 % → 85 %');
  expect(text.zh).toContain('已推送到 3 个运行中的代理。');
  expect(savedText([], { pushed: 1, offline: 0, agentless: 0 }).en).toEqual(['Saved; nothing changed.']);
});
