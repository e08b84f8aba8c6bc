import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TextResponse {
  status: number;
  text: string;
}

export interface TextRequestOptions {
  method: string;
  headers?: Record<string, string | number>;
  /** Sent as it is, with its content-length. */
  body?: string;
  /** PEM of a private CA that signed the server's certificate (https). */
  ca?: Buffer;
  timeoutMs: number;
  /** A keep-alive agent to reuse connections (the InfluxDB write path). */
  agent?: HttpAgent;
}

/**
 * One HTTP(S) request with a text body and a text answer, over node:http(s). Used where fetch does not fit: it
 * takes no private CA (enrollment, deploy's API calls) and wraps every body in web streams, which at full ingest
 * speed cost the collector several per cent of a core (InfluxDB writes).
 */
export function textRequest(url: URL, o: TextRequestOptions): Promise<TextResponse> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = o.body === undefined ? { ...o.headers } : { ...o.headers, 'content-length': Buffer.byteLength(o.body) };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method, headers, ca: o.ca, agent: o.agent, timeout: o.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(o.timeoutMs / 1000)} s`)));
    req.on('error', reject);
    req.end(o.body);
  });
}
