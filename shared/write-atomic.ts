import { chmodSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Write a whole file through a temp file beside it and a rename: a reader (or a restart after a crash) sees the old
 * file or the new one, never half of one. With `mode` the file has it from its first byte (a temp file left by a
 * crash keeps its old mode, hence the chmod). The temp name is `<path>.tmp`: callers that might write one path
 * twice at once share one write instead (single-flight), so two writers never share a temp file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  if (mode !== undefined) chmodSync(tmp, mode);
  renameSync(tmp, path);
}
