import { describe, expect, test } from 'vitest';
import { forEachField, type FieldKind } from '../../collector/metrics/field-types.js';
import { checkLineBlock, ownerTagText, parseLine, toLine, withOwnerTags } from '../../shared/line-protocol.js';
import { TRICKY_METRICS } from '../helpers/tricky-metrics.js';

const kindOf = (v: unknown): FieldKind => (typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : 'float');

describe("the field kind scan (it guards InfluxDB's first-value typing for every line written)", () => {
  test('finds every field and its kind exactly as parseLine does, escapes and quotes included', () => {
    const lines = [
      ...TRICKY_METRICS.map(toLine),
      'm,t=a\\ b\\,c\\=d s="x, y=\\"z\\" \\\\",f=1e-7,b=T,g=-3,h=false 5',
      'm s="trailing space ",n=.5 6',
      'm,label=x\\ y one="a b c" 7',
    ].map((l) => withOwnerTags(l, ownerTagText('acme', 'h 1')));
    expect(checkLineBlock(lines.map((l) => l.replace(/,customer=[^,]+,host=(?:\\ |[^, ])+/, '')).join('\n')).ok).toBe(true);
    for (const line of lines) {
      const seen: string[] = [];
      forEachField(line, (m, f, k) => void seen.push(`${m}.${f}:${k}`));
      const parsed = parseLine(line);
      expect(seen, line).toEqual(Object.entries(parsed.fields).map(([f, v]) => `${parsed.measurement}.${f}:${kindOf(v)}`));
    }
  });

  test('stops when told to', () => {
    const seen: string[] = [];
    forEachField('m a=1,b=2,c=3 1', (_m, f) => (seen.push(f), f !== 'b'));
    expect(seen).toEqual(['a', 'b']);
  });
});
