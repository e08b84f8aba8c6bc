import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { defineCheck } from '../define.js';
import { statusAbove, statusBelow, worstStatus, type Status } from '../../shared/status.js';
import { describeSocketError } from './tcp.js';
import { regexParam } from '../regex-param.js';
import type { FieldsOf } from '../metric-declaration.js';
import { HTTP } from './metrics.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import { part, say } from './messages.js';

const DAY_MS = 86_400_000;

/** HTTP(S): status, latency, body match, and for HTTPS the days until the certificate expires. */
export default defineCheck({
  id: 'network.http',
  title: { en: 'HTTP(S) endpoint', zh: 'HTTP(S) 服务' },
  params: z.object({
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    /** Accepted status codes; default any 2xx or 3xx (redirects are not followed). */
    expectStatus: z.array(z.number().int().min(100).max(599)).optional(),
    /** Regex the body must match (JavaScript syntax). */
    bodyRegex: regexParam().optional(),
    timeoutMs: z.number().int().positive().default(10_000),
    warnMs: z.number().positive().default(1000),
    critMs: z.number().positive().default(5000),
    /** Days before expiry: under warn -> WARNING, under crit -> CRITICAL; expired is always CRITICAL. */
    certWarnDays: z.number().nonnegative().default(14),
    certCritDays: z.number().nonnegative().default(3),
    /** false for self-signed internal services; expiry is still checked. */
    verifyTls: z.boolean().default(true),
    maxBodyBytes: z.number().int().positive().default(1024 * 1024),
  }),
  async run(ctx, p) {
    const r = await request(p, ctx.signal);
    const url = new URL(p.url);
    const tags = { url: `${url.origin}${url.pathname}` };
    if (!r.ok) {
      return { status: 'CRITICAL', ...say('network.http.failed', { method: p.method, url: p.url }, [r.error]), metrics: [{ measurement: HTTP.name, tags, fields: { up: 0 } }] };
    }
    const statuses: Status[] = [];
    const problems: CheckMessagePart[] = [];
    let cert: { certDate: string; certDays: number } | undefined;
    const statusOk = p.expectStatus ? p.expectStatus.includes(r.status) : r.status >= 200 && r.status < 400;
    if (!statusOk) {
      statuses.push('CRITICAL');
      problems.push(part('network.http.badStatus', { code: r.status }));
    }
    const latency = statusAbove(r.ms, p.warnMs, p.critMs);
    statuses.push(latency);
    if (latency !== 'OK') problems.push(part('network.http.slow', { ms: r.ms }));
    if (p.bodyRegex !== undefined) {
      const matched = new RegExp(p.bodyRegex).test(r.body);
      if (!matched) {
        statuses.push('CRITICAL');
        problems.push(part('network.http.bodyMismatch', { regex: p.bodyRegex }));
      }
    }
    const fields: FieldsOf<typeof HTTP> = { up: 1, status_code: r.status, response_sec: r.ms / 1000, body_bytes: r.bodyBytes };
    if (r.certValidTo !== null) {
      const days = (r.certValidTo - ctx.now()) / DAY_MS;
      fields.cert_days_left = Math.round(days * 100) / 100;
      const s: Status = days <= 0 ? 'CRITICAL' : statusBelow(days, p.certWarnDays, p.certCritDays);
      statuses.push(s);
      const when = new Date(r.certValidTo).toISOString().slice(0, 10);
      cert = { certDate: when, certDays: Math.floor(days) };
      if (s !== 'OK') problems.push(days <= 0 ? part('network.http.certExpired') : part('network.http.certExpiring', { days: Math.floor(days) }));
    }
    return {
      status: worstStatus(statuses),
      ...say('network.http.result', { code: r.status, ms: r.ms, ...cert }, problems),
      metrics: [{ measurement: HTTP.name, tags, fields }],
    };
  },
});

type HttpParams = {
  url: string;
  method: string;
  headers: Record<string, string>;
  timeoutMs: number;
  verifyTls: boolean;
  maxBodyBytes: number;
};

type HttpResult =
  | { ok: true; status: number; ms: number; body: string; bodyBytes: number; certValidTo: number | null }
  | { ok: false; error: CheckMessagePart };

function request(p: HttpParams, signal: AbortSignal): Promise<HttpResult> {
  return new Promise((resolve) => {
    const url = new URL(p.url);
    const isHttps = url.protocol === 'https:';
    const t0 = performance.now();
    let settled = false;
    const finish = (r: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ ok: false, error: part('network.error.word', { error: 'check aborted' }) });
    // agent: false, so the TLS socket is ours and its certificate can be read (a pooled socket may hide it).
    const req = (isHttps ? https : http).request(url, {
      method: p.method,
      headers: { 'user-agent': 'patrol-check/1', ...p.headers },
      agent: false,
      ...(isHttps ? { rejectUnauthorized: p.verifyTls } : {}),
    });
    const timer = setTimeout(() => finish({ ok: false, error: part('network.error.noResponse', { ms: p.timeoutMs }) }), p.timeoutMs);
    signal.addEventListener('abort', onAbort);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: describeHttpError(err) }));
    req.on('response', (res) => {
      let certValidTo: number | null = null;
      if (isHttps) {
        const cert = (res.socket as TLSSocket).getPeerCertificate?.();
        if (cert?.valid_to) certValidTo = Date.parse(cert.valid_to);
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes <= p.maxBodyBytes) chunks.push(c);
      });
      res.on('end', () =>
        finish({
          ok: true,
          status: res.statusCode ?? 0,
          ms: performance.now() - t0,
          body: Buffer.concat(chunks).toString('utf8'),
          bodyBytes: bytes,
          certValidTo: Number.isFinite(certValidTo) ? certValidTo : null,
        }),
      );
      res.on('error', (err) => finish({ ok: false, error: part('network.error.broken', { error: err.message }) }));
    });
    req.end();
  });
}

function describeHttpError(err: NodeJS.ErrnoException): CheckMessagePart {
  // TLS verification failures carry codes like DEPTH_ZERO_SELF_SIGNED_CERT and CERT_HAS_EXPIRED.
  if (err.code && /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS/.test(err.code)) return part('network.error.tls', { code: err.code, error: err.message });
  return part('network.error.word', { error: describeSocketError(err) });
}
