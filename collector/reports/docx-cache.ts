import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportDocument } from './document.js';
import { writeFileAtomic } from '../../shared/write-atomic.js';
import { SingleFlight } from '../../shared/single-flight.js';

/**
 * The Word file is kept beside the report's other files, named by a hash of the document it was made from:
 * a remark, the sign-off or the customer's acceptance changes the document and so the name, and the next
 * download makes it again. Keyed by content rather than dropped by each writer, so nothing that changes a
 * report has to know the Word file exists; drawing the charts costs a browser start, so it is worth keeping.
 */
const CACHED = /^report-[0-9a-f]{16}\.docx$/;

/**
 * Makings under way, by file. A download and the delivery mailer often ask for the same file at once (right
 * after the sign-off); the `docx` library stamps each file with the time it was made, so two makings give two
 * different files, and the one the customer downloaded would not be the one mailed or kept. One making per
 * file: the second asker waits for the first.
 */
const making = new SingleFlight<string, Buffer>();

/** Where the report's current Word file is kept, once made. */
export function cachedDocxFile(filesDir: string): string | undefined {
  const name = readdirSync(filesDir).find((f) => CACHED.test(f));
  return name ? join(filesDir, name) : undefined;
}

export async function cachedDocx(filesDir: string, doc: ReportDocument, render: (doc: ReportDocument) => Promise<Buffer>): Promise<Buffer> {
  const key = createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16);
  const file = join(filesDir, `report-${key}.docx`);
  const pending = making.get(file);
  if (pending) return pending;
  if (existsSync(file)) return readFileSync(file);
  return making.run(file, async () => {
    const docx = await render(doc);
    for (const old of readdirSync(filesDir)) if (CACHED.test(old) && old !== `report-${key}.docx`) rmSync(join(filesDir, old), { force: true });
    writeFileAtomic(file, docx);
    return docx;
  });
}
