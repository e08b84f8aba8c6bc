/**
 * What the audit log keeps of a request body: its keys, and the values that cannot be secrets. The log is
 * read by admins and lives as long as tickets, so a secret that reached it would outlive every rotation of
 * that secret: when in doubt a value is dropped, never kept.
 */

export const REDACTED = '[redacted]';

/** Field names whose values are secrets (password, passphrase, secret, token, key, credentials, cookies, an SNMP community...). */
const SECRET_NAME = /pass|secret|token|key|credential|auth|cookie|csrf|signature|private|community/i;
/** Containers whose every value may be a secret: HTTP headers, script environment and arguments. */
const SECRET_CONTAINER = /^(headers?|env|environment|args|argv)$/i;

/** One value's text at most this long: the log says what changed, it is not a copy of the record. */
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 5;
/** The whole summary's JSON at most this long; past it only the top-level keys are kept. */
export const MAX_SUMMARY_CHARS = 4000;

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A path segment kept as is: a short word (robot/send, services, hook); ids and tokens in paths are masked. */
const PLAIN_SEGMENT = /^[A-Za-z._-]{1,16}$/;

/**
 * A URL with its secrets masked: no user or password, query values masked (access_token=..., key=...), and
 * every path segment that is not a short plain word masked (Slack, Feishu and WeCom put the token in the path).
 */
export function redactUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return REDACTED;
  }
  const path = u.pathname
    .split('/')
    .map((s) => (s === '' || PLAIN_SEGMENT.test(s) ? s : '****'))
    .join('/');
  const query = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=****`).join('&');
  return `${u.protocol}//${u.host}${path}${query ? `?${query}` : ''}`;
}

/** Key material pasted under any field name (a PEM private key, an OpenSSH key) is a secret wherever it sits. */
const KEY_MATERIAL = /-----BEGIN [A-Z0-9 ]*(PRIVATE KEY|KEY)-----|PuTTY-User-Key-File/;

/** Free text: credentials inside a URL anywhere in it are masked; long text is cut. */
function redactText(value: string): string {
  if (KEY_MATERIAL.test(value)) return REDACTED;
  if (URL_LIKE.test(value.trim()) && !/\s/.test(value.trim())) return redactUrl(value.trim());
  const masked = value.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1****@').replace(/([?&][^=&\s]+=)[^&\s]+/g, '$1****');
  return masked.length > MAX_STRING ? `${masked.slice(0, MAX_STRING)}…` : masked;
}

/** A JSON-looking form field (the template form's checks) is summarised as the JSON it holds. */
function maybeJson(value: string): unknown {
  const s = value.trim();
  if (!(s.startsWith('{') || s.startsWith('['))) return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

export function redactValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') {
    const parsed = maybeJson(value);
    return parsed === undefined ? redactText(value) : redactValue(parsed, depth);
  }
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => redactValue(v, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`… +${value.length - MAX_ITEMS}`);
    return items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_NAME.test(k)) out[k] = v === null || v === undefined || v === '' ? v : REDACTED;
      else if (SECRET_CONTAINER.test(k)) out[k] = secretContainer(v);
      else out[k] = redactValue(v, depth + 1);
    }
    return out;
  }
  return String(typeof value);
}

/** Keys kept (header and variable names say what was set), every value replaced. */
function secretContainer(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [`${REDACTED} ×${v.length}`];
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
  return v === null || v === undefined ? v : REDACTED;
}

/** The redacted summary as stored: JSON text, capped; null for an empty body. */
export function summarize(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return null;
  const text = JSON.stringify(redactValue(body));
  if (text.length <= MAX_SUMMARY_CHARS) return text;
  const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).slice(0, 100) : [];
  return JSON.stringify({ _keys: keys, _truncated: true });
}

/** A request body (as the client sent it) read into something summarize() takes; undefined when there is nothing to read. */
export async function parseBodyForAudit(contentType: string | undefined, bytes: ArrayBuffer): Promise<unknown> {
  if (bytes.byteLength === 0) return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    } catch {
      return { _unparsed: true, bytes: bytes.byteLength };
    }
  }
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { 'content-type': contentType! } }).formData();
    } catch {
      return { _unparsed: true, bytes: bytes.byteLength };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of form.entries()) {
      const value = typeof v === 'string' ? v : { file: v.name, bytes: v.size };
      const prev = out[k];
      out[k] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    return out;
  }
  return { _contentType: type || 'none', bytes: bytes.byteLength };
}
