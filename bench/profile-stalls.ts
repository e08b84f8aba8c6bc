/**
 * `tsx bench/profile-stalls.ts FILE.cpuprofile [--min-ms 150] [--skip-sec 0] [--top 8]`: the stretches of a V8 CPU
 * profile (node --cpu-prof) where the main thread was busy without a break (no "(idle)" sample) for at least
 * `--min-ms`, each with the functions that took its time and the call path into them. A stretch is what the
 * event loop could not run anything else during: the stalls bench:soak and bench:fleet count, by their cause.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const CallFrameSchema = z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() });
const ProfileSchema = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: CallFrameSchema, children: z.array(z.number()).optional() })),
  startTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'min-ms': { type: 'string', default: '150' }, 'skip-sec': { type: 'string', default: '0' }, top: { type: 'string', default: '8' } } });
const p = ProfileSchema.parse(JSON.parse(readFileSync(positionals[0] ?? '', 'utf8')));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (id: number) => {
  const f = byId.get(id)!.callFrame;
  return f.url ? `${f.functionName || '(anonymous)'} ${basename(f.url)}:${f.lineNumber + 1}` : f.functionName || '(anonymous)';
};
/** The sample's path of our own frames (node_modules and node: internals left out), outermost first. */
const path = (id: number) => {
  const out: string[] = [];
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = byId.get(n)!.callFrame;
    if (f.url && !f.url.includes('node_modules') && !f.url.startsWith('node:')) out.unshift(name(n));
  }
  return out.slice(-4).join(' > ');
};

const minMs = Number(values['min-ms']);
const from = p.startTime + Number(values['skip-sec']) * 1e6;
let t = p.startTime;
let stretch: { start: number; ms: number; self: Map<string, number>; paths: Map<string, number> } | undefined;
const stretches: NonNullable<typeof stretch>[] = [];
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i] ?? 0;
  const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
  if (t < from) continue;
  const id = p.samples[i]!;
  if (byId.get(id)!.callFrame.functionName === '(idle)') {
    if (stretch && stretch.ms >= minMs) stretches.push(stretch);
    stretch = undefined;
    continue;
  }
  stretch ??= { start: t, ms: 0, self: new Map(), paths: new Map() };
  stretch.ms += dt;
  stretch.self.set(name(id), (stretch.self.get(name(id)) ?? 0) + dt);
  const pth = path(id) || name(id);
  stretch.paths.set(pth, (stretch.paths.get(pth) ?? 0) + dt);
}
if (stretch && stretch.ms >= minMs) stretches.push(stretch);

const top = Number(values.top);
console.log(`${stretches.length} stretches of >= ${minMs} ms busy without a break`);
for (const s of stretches) {
  console.log(`\nat +${((s.start - p.startTime) / 1e6).toFixed(1)} s: ${s.ms.toFixed(0)} ms`);
  for (const [k, v] of [...s.paths].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
  const self = [...s.self].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(0)} ms`);
  console.log(`  self: ${self.join('; ')}`);
}
