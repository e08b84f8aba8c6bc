// A worker thread's first module (the report worker, the embedded store's read thread): a worker does not inherit
// the TypeScript loader its parent registered (bin/patrol-collector.js, vitest), so it registers tsx itself before
// loading the worker's code, named by its parent in workerData.module (a file URL).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.module);
