import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_FAMILIES, messageText, renderCheckMessage } from '../../checks/messages.js';
import { placeholderNames } from '../../checks/message-text.js';
import { WORD_TEXTS } from '../../checks/words.js';
import { CheckMessageSchema, type CheckMessage } from '../../shared/check-result.js';
import { englishWordsIn } from './english-words.js';

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));

/** Where results are said: every check, and the collector's own results (agentless reachability, host silence). */
const SAYING_FILES = [...walk(join(process.cwd(), 'checks')), join(process.cwd(), 'collector/remote/poller.ts'), join(process.cwd(), 'collector/tickets/state-engine.ts')];

/**
 * Every message key the code can say: the literal first argument of say(), part(), sayCollector() and refused(),
 * and the keys kept in tables (connect-error's codes, inventory's lists), i.e. any literal of three or more
 * dotted words in a family of results.
 */
function keysInSource(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const file of SAYING_FILES) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:say|part|sayCollector|refused)\(\s*'([^']+)'/g)) keys.set(m[1]!, file);
    for (const m of text.matchAll(/'((?:system|network|db|script|check|remote|host|exec|target|secret)(?:\.[a-z][A-Za-z0-9]*){2,})'/g)) keys.set(m[1]!, file);
  }
  return keys;
}

describe('every result a check can give has words in zh and en', () => {
  test('each key said in the code has texts in the registry', () => {
    const keys = keysInSource();
    // The scan must find the families' keys at all, or it proves nothing.
    expect(keys.size).toBeGreaterThan(150);
    const missing = [...keys].filter(([k]) => !messageText(k)).map(([k, f]) => `${k} (${f})`);
    expect(missing).toEqual([]);
  });

  test('en and zh of each key use the same placeholders, and no key is in two families', () => {
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const [family, texts] of Object.entries(MESSAGE_FAMILIES)) {
      for (const [key, t] of Object.entries(texts)) {
        if (seen.has(key)) problems.push(`${key} in ${seen.get(key)} and ${family}`);
        seen.set(key, family);
        if (!t.en.trim() || !t.zh.trim()) problems.push(`${key}: empty text`);
        if (placeholderNames(t.en).join() !== placeholderNames(t.zh).join()) {
          problems.push(`${key}: en {${placeholderNames(t.en)}} vs zh {${placeholderNames(t.zh)}}`);
        }
        expect(CheckMessageSchema.safeParse({ key, values: {} }).success, `${key} is a valid message key`).toBe(true);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every zh text reads as Chinese: rendered with neutral values, no English word is left outside units and names', () => {
    const leftovers: string[] = [];
    for (const texts of Object.values(MESSAGE_FAMILIES)) {
      for (const [key, t] of Object.entries(texts)) {
        const names = placeholderNames(t.zh).filter((n) => n !== 'parts');
        // 1 for every value (numbers, durations and words all take it); one part so {parts} sections show.
        const values = Object.fromEntries(names.map((n) => [n, 1]));
        const rendered = renderCheckMessage('zh', { key, values, parts: [{ key: 'script.output', values: { text: '1' } }] }, '<fallback>');
        expect(rendered, key).not.toBe('<fallback>');
        const english = englishWordsIn(rendered);
        if (english.length) leftovers.push(`${key}: ${english.join(' ')} in "${rendered}"`);
      }
    }
    expect(leftovers).toEqual([]);
  });

  test('every known word has both languages, and the zh one is Chinese unless it is a status code name', () => {
    for (const [w, t] of Object.entries(WORD_TEXTS)) {
      expect(t.en, w).toBe(w);
      expect(t.zh, w).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('rendering', () => {
  const memory = { key: 'system.memory.used', values: { usedPct: 92.5, usedBytes: 7.4 * 2 ** 30, totalBytes: 8 * 2 ** 30, swapPct: 10 } };

  test('a memory result in Chinese, as an ops engineer writes it, and the English summary unchanged', () => {
    expect(renderCheckMessage('zh', memory, 'x')).toBe('内存使用率 92.5%（已用 7.4 / 8.0 GiB），交换分区 10.0%');
    expect(renderCheckMessage('en', memory, 'x')).toBe('memory 92.5% used (7.4 of 8.0 GiB), swap 10.0% used');
    expect(renderCheckMessage('zh', { key: 'system.memory.used', values: { usedPct: 50, usedBytes: 2 ** 30, totalBytes: 2 ** 31, noSwap: 1 } }, 'x')).toBe(
      '内存使用率 50.0%（已用 1.0 / 2.0 GiB），无交换分区',
    );
  });

  test('disks: the count, the fullest mount, and English plurals that agree', () => {
    expect(renderCheckMessage('zh', { key: 'system.disk.ok', values: { count: 2, mount: '/', pct: 45.1 } }, 'x')).toBe('2 个文件系统正常，最满 / 45.1%');
    expect(renderCheckMessage('en', { key: 'system.disk.ok', values: { count: 1, mount: '/', pct: 45.1 } }, 'x')).toBe('1 file system OK, fullest / 45.1%');
    expect(renderCheckMessage('en', { key: 'system.disk.ok', values: { count: 3, mount: '/', pct: 45.1 } }, 'x')).toBe('3 file systems OK, fullest / 45.1%');
    const above: CheckMessage = { key: 'system.disk.above', values: {}, parts: [{ key: 'system.disk.mount', values: { mount: '/', pct: 91.26 } }, { key: 'system.disk.mountInodes', values: { mount: '/var', pct: 95, inodePct: 97.04 } }] };
    expect(renderCheckMessage('en', above, 'x')).toBe('/ 91.3%, /var 95.0% (inodes 97.0%) above threshold');
    expect(renderCheckMessage('zh', above, 'x')).toBe('/ 91.3%，/var 95.0%（inode 97.0%） 超过阈值');
  });

  test('durations, times and words follow the language', () => {
    const at = Date.UTC(2026, 11, 4, 0, 5, 0);
    expect(renderCheckMessage('en', { key: 'system.uptime.rebooted', values: { bootAt: at, uptimeSec: 3 * 86400 + 4 * 3600 } }, 'x')).toBe(
      'host rebooted at 2026-12-04T00:05:00.000Z (up 3d 4h)',
    );
    // Shown in the dashboard's zone (Asia/Shanghai unless PATROL_TIMEZONE says otherwise).
    expect(renderCheckMessage('zh', { key: 'system.uptime.rebooted', values: { bootAt: at, uptimeSec: 300 } }, 'x')).toMatch(/^主机于 2026-12-04 \d\d:05:00 重启（已运行 5分钟）$/);
    expect(renderCheckMessage('zh', { key: 'network.tcp.failed', values: { target: 'db1:5432' }, parts: [{ key: 'network.error.word', values: { error: 'connection refused' } }] }, 'x')).toBe(
      '无法连接 db1:5432：连接被拒绝',
    );
    // A word nobody taught us is the device's own, shown as it came.
    expect(renderCheckMessage('zh', { key: 'network.error.word', values: { error: 'EPROTO: bad record' } }, 'x')).toBe('EPROTO: bad record');
  });

  test('an unknown key, a missing value or an unknown part gives the English summary; values are never read as placeholders', () => {
    expect(renderCheckMessage('zh', { key: 'system.future.thing', values: {} }, 'fallback')).toBe('fallback');
    expect(renderCheckMessage('zh', undefined, 'fallback')).toBe('fallback');
    expect(renderCheckMessage('zh', { key: 'system.disk.ok', values: { count: 2 } }, 'fallback')).toBe('fallback');
    expect(renderCheckMessage('zh', { key: 'system.disk.above', values: {}, parts: [{ key: 'nope.nope', values: {} }] }, 'fallback')).toBe('fallback');
    // An agent is root on its host: a value holding braces or markup comes back as the same plain text.
    const hostile = renderCheckMessage('zh', { key: 'system.disk.ok', values: { count: 2, mount: '{count}<script>', pct: 1 } }, 'x');
    expect(hostile).toBe('2 个文件系统正常，最满 {count}<script> 1%');
  });
});
