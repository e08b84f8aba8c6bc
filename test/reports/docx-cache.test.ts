import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedDocx, cachedDocxFile } from '../../collector/reports/docx-cache.js';
import type { ReportDocument } from '../../collector/reports/document.js';
import { tempDir } from '../helpers/temp-dir.js';

const doc = (title: string) => ({ lang: 'en', title, blocks: [] }) as unknown as ReportDocument;

describe('the kept Word file of a report', () => {
  test('a download and the mailer asking at once get one file, made once (each making differs in its timestamps)', async () => {
    const dir = tempDir('docx-cache');
    let makings = 0;
    const render = async () => {
      makings += 1;
      await new Promise((r) => setTimeout(r, 30));
      return Buffer.from(`made ${makings} at ${process.hrtime.bigint()}`);
    };
    const [a, b] = await Promise.all([cachedDocx(dir.path, doc('r'), render), cachedDocx(dir.path, doc('r'), render)]);
    expect(makings).toBe(1);
    expect(a.equals(b)).toBe(true);
    expect(readFileSync(cachedDocxFile(dir.path)!).equals(a)).toBe(true);
    // Later askers read the kept file; a changed document makes a new one and the old goes.
    expect((await cachedDocx(dir.path, doc('r'), render)).equals(a)).toBe(true);
    expect(makings).toBe(1);
    const changed = await cachedDocx(dir.path, doc('r, signed'), render);
    expect(makings).toBe(2);
    expect(changed.equals(a)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.docx'))).toHaveLength(1);
    expect(readFileSync(join(dir.path, readdirSync(dir.path)[0]!)).equals(changed)).toBe(true);
    dir.remove();
  });
});
