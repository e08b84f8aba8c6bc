/**
 * `tsx bench/agent-cpu-profile.ts FILE.cpuprofile [--skip-sec 60] [--top 30]`: what a V8 CPU profile (node --cpu-prof)
 * of the agent says, past its start: self and total time per function, and self time per source file. Samples V8
 * marks "(idle)" (the event loop waiting) are left out; "(program)" is native code outside JavaScript (libuv, the
 * kernel calls it makes) and "(garbage collector)" is GC.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const CallFrameSchema = z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number(), columnNumber: z.number() });
const ProfileSchema = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: CallFrameSchema, children: z.array(z.number()).optional() })),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface ProfileLine {
  what: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  /** Wall time the summary covers (past the skipped start), ms. */
  spanMs: number;
  /** Time in samples that were not idle, ms: JavaScript, native code and GC on the main thread. */
  busyMs: number;
  functions: ProfileLine[];
  files: ProfileLine[];
  /** Every frame by its time with what it called (top-down). */
  byTotal: ProfileLine[];
}

function frameName(f: z.infer<typeof CallFrameSchema>): string {
  if (!f.url) return f.functionName || '(anonymous)';
  return `${f.functionName || '(anonymous)'} ${basename(f.url)}:${f.lineNumber + 1}`;
}

export function summarizeProfile(json: unknown, skipSec = 0): ProfileSummary {
  const p = ProfileSchema.parse(json);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  const from = p.startTime + skipSec * 1e6;
  let t = p.startTime;
  let busy = 0;
  let span = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (t < from || dt <= 0) continue;
    span += dt;
    const node = byId.get(p.samples[i]!)!;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += dt;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + dt);
    const file = node.callFrame.url ? basename(node.callFrame.url) : name;
    fileSelf.set(file, (fileSelf.get(file) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const k = frameName(n.callFrame);
      if (k === '(root)' || seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  }
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m.entries()].map(([what, selfMs]) => ({ what, selfMs, totalMs: total.get(what) ?? selfMs })).sort((a, b) => b.selfMs - a.selfMs);
  const byTotal = [...total.entries()].map(([what, totalMs]) => ({ what, selfMs: self.get(what) ?? 0, totalMs })).sort((a, b) => b.totalMs - a.totalMs);
  return { spanMs: span, busyMs: busy, functions: lines(self), files: lines(fileSelf), byTotal };
}

export function formatSummary(s: ProfileSummary, top = 30): string {
  const perMin = (ms: number) => (s.spanMs > 0 ? (ms * 60_000) / s.spanMs : 0).toFixed(2);
  const out = [
    `span ${(s.spanMs / 1000).toFixed(0)} s, main thread busy ${s.busyMs.toFixed(1)} ms = ${perMin(s.busyMs)} ms a minute`,
    '',
    `top ${top} functions by self time (ms a minute; total = with what they called):`,
    ...s.functions.slice(0, top).map((l) => `  ${perMin(l.selfMs).padStart(7)} self ${perMin(l.totalMs).padStart(7)} total  ${l.what}`),
    '',
    'self time by file:',
    ...s.files.slice(0, 15).map((l) => `  ${perMin(l.selfMs).padStart(7)}  ${l.what}`),
    '',
    `top ${top} by total time (ms a minute):`,
    ...s.byTotal.slice(0, top).map((l) => `  ${perMin(l.totalMs).padStart(7)}  ${l.what}`),
  ];
  return out.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'skip-sec': { type: 'string', default: '60' }, top: { type: 'string', default: '30' } } });
  for (const file of positionals) {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    console.log(`== ${file}`);
    console.log(formatSummary(summarizeProfile(json, Number(values['skip-sec'])), Number(values.top)));
  }
}
