import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local webhook endpoint that notes when each ticket number first arrived (wall-clock ms). */
export async function startWebhookReceiver(): Promise<{ url: string; arrivedAt: Map<string, number>; close(): Promise<void> }> {
  const arrivedAt = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { items?: Array<{ number?: string }> };
        for (const i of body.items ?? []) if (i.number && !arrivedAt.has(i.number)) arrivedAt.set(i.number, at);
      } catch {
        // Not a Patrol message: nothing to note.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivedAt,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
