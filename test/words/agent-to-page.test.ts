import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Agent } from '../../agent/agent.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { dashboardPlugin } from '../../collector/dashboard/plugin.js';
import { buildInspectionReport } from '../../collector/reports/build-report.js';
import { renderReportHtml } from '../../collector/reports/render-html.js';
import { CheckAssignmentSchema } from '../../shared/assignment.js';
import { httpLogin } from '../dashboard/world.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { englishWordsIn } from './english-words.js';

/**
 * A real agent runs the system checks on this machine and sends them to a real collector; the engineer reads the
 * host page and the inspection report in Chinese. The checks' results must be Chinese there, English on the
 * English page, and the stored summary stays English (logs).
 */
const CHECKS = ['system.cpu', 'system.memory', 'system.disk', 'system.uptime', 'system.network', 'system.fds', 'system.zombies'];

let collector: TestCollector;
let agent: Agent;
let cookie = '';
const state = tempDir('agent-words');

beforeAll(async () => {
  collector = await startTestCollector(
    { batchIntervalSec: 0.3 },
    {
      plugins: [dashboardPlugin],
      assignments: { forHost: () => CHECKS.map((checkId) => CheckAssignmentSchema.parse({ name: checkId, checkId, params: {}, intervalSec: 3600 })) },
    },
  );
  agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'words-host' });
  await agent.start();
  await waitFor(() => agent.connected, 'agent welcomed');
  await waitFor(() => listCheckStates(collector.db, {}).filter((s) => s.message).length === CHECKS.length || undefined, 'every check reported with a message', 30_000);
  cookie = (await httpLogin(collector.url, 'admin', collector.adminPassword ?? process.env.PATROL_ADMIN_PASSWORD!)).cookie;
});

afterAll(async () => {
  await agent?.stop();
  await collector?.destroy();
  state.remove();
});

/** The host page in a language, and the text of each check's result cell, by check name. */
async function hostPage(lang: 'zh' | 'en'): Promise<{ html: string; outputs: Map<string, string> }> {
  const hostId = agent.credentials!.hostId;
  const res = await fetch(`${collector.url}/hosts/${hostId}`, { headers: { cookie: `${cookie}; patrol_lang=${lang}` } });
  expect(res.status).toBe(200);
  const html = await res.text();
  const outputs = new Map<string, string>();
  for (const m of html.matchAll(/<tr data-check="([^"]+)">[\s\S]*?<td class="output">([\s\S]*?)(?:<details>|<\/td>)/g)) {
    outputs.set(m[1]!, decode(m[2]!.trim()));
  }
  return { html, outputs };
}

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('results of a real agent, read in Chinese', () => {
  test('the zh host page shows system.memory and system.disk in Chinese; the en page and the stored summary in English', async () => {
    const zh = await hostPage('zh');
    expect(zh.outputs.get('system.memory')).toMatch(/^内存使用率 \d+\.\d%（已用 \d+\.\d \/ \d+\.\d GiB），(交换分区 \d+\.\d%|无交换分区)$/);
    expect(zh.outputs.get('system.disk')).toMatch(/^(\d+ 个文件系统正常，最满 \S+ [\d.]+%|.+ 超过阈值)$/);
    // The check's title in the page language beside its name.
    expect(zh.html).toContain('内存与交换分区');

    const en = await hostPage('en');
    expect(en.outputs.get('system.memory')).toMatch(/^memory \d+\.\d% used \(\d+\.\d of \d+\.\d GiB\), (swap \d+\.\d% used|no swap)$/);
    expect(en.outputs.get('system.disk')).toMatch(/^(\d+ file systems? OK, fullest \S+ [\d.]+%|.+ above threshold)$/);
    const stored = listCheckStates(collector.db, {}).find((s) => s.name === 'system.memory')!;
    expect(stored.summary).toBe(en.outputs.get('system.memory'));
  });

  test('no English sentence from a check on the zh host page, outside units, ids and names', async () => {
    const zh = await hostPage('zh');
    expect([...zh.outputs.keys()].sort()).toEqual([...CHECKS].sort());
    if (process.env.WORDS_SHOW) console.log([...zh.outputs].map(([n, t]) => `${n}: ${t}`).join('\n'));
    const english = [...zh.outputs].map(([name, text]) => [name, englishWordsIn(text)] as const).filter(([, words]) => words.length);
    expect(english).toEqual([]);
  });

  test('the zh report: each check by its title, its result in Chinese', async () => {
    const now = Date.now();
    const report = await buildInspectionReport({ db: collector.db, store: collector.store, customerId: 'acme', scope: { from: now - 3600_000, to: now + 60_000, period: '2026Q4' }, lang: 'zh', now });
    const html = renderReportHtml(report);
    // The host's checklist: 检查项 (类别 · 标题) / 检查标准 / 检查结果 / 结论.
    const table = /<h3>检查清单<\/h3>\s*(<table[\s\S]*?<\/table>)/.exec(html)?.[1];
    expect(table, 'the per-host checks table').toBeDefined();
    const rows = [...table!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1]!.replace(/<[^>]+>/g, ''))));
    const body = rows.filter((cells) => cells.length >= 3);
    expect(body).toHaveLength(CHECKS.length);
    const byTitle = new Map(body.map((cells) => [cells[0]!.replace(/^\S+ · /, ''), cells[2]!]));
    expect(byTitle.get('内存与交换分区')).toMatch(/^内存使用率 /);
    expect(byTitle.get('磁盘空间与 inode')).toMatch(/个文件系统正常|超过阈值/);
    const english = body.map((cells) => [cells[0], englishWordsIn(`${cells[0]} ${cells[2]}`)] as const).filter(([, words]) => words.length);
    expect(english).toEqual([]);
  });
});
