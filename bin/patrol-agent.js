#!/usr/bin/env node
// Runs the TypeScript sources through tsx; the deployable agent is the esbuild bundle (npm run build:agent).
import { register } from 'tsx/esm/api';
register();
await import('../agent/cli.ts');
