import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  status: number;
  body: string;
}

/**
 * POST a text body over kept-alive connections. The InfluxDB write path uses this instead of fetch(): fetch
 * wraps every body in web streams, which at full ingest speed cost the collector several per cent of a core;
 * here the string goes to the socket as it is.
 */
export function keepAlivePoster(opts: { maxSockets: number; timeoutMs: number }) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets }),
  };
  return (url: URL, body: string, headers: Record<string, string> = {}): Promise<PostResult> =>
    new Promise((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(
        url,
        {
          method: 'POST',
          agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
          headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers },
          timeout: opts.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}
