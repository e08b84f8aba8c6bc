// The report worker thread's first module: a worker does not inherit the TypeScript loader its parent registered
// (bin/patrol-collector.js, vitest), so it registers tsx itself before loading the worker's code.
import { register } from 'tsx/esm/api';

register();
await import('./report-worker.ts');
