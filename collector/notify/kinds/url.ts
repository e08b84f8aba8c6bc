import { ChannelConfigError, type ChannelPatchParts, type KindChannel, type SecretSpec, type SettingsField } from './kind.js';

/** What every kind that posts to a URL (webhook, chat robots) has in its config. */
export interface UrlConfig {
  url: string;
  lang: 'zh' | 'en';
}

/** A secret part of a URL (query values, a robot's path token, a password) as list/get show it. */
export const URL_MASK = '****';

/**
 * Robot URLs whose last path segment is the token (Feishu/Lark `/open-apis/bot/v2/hook/<token>`, Slack
 * `/services/T.../B.../<token>`); DingTalk (`?access_token=`) and WeCom (`?key=`) carry it in the query.
 */
const TOKEN_IN_PATH = [/^\/open-apis\/bot\/v2\/hook\/[^/]+$/, /^\/services\/[^/]+\/[^/]+\/[^/]+$/];

/**
 * The URL with every query value, a robot's path token and any password replaced by URL_MASK: the admin still
 * sees which service and robot it is, a staff member reading the list cannot post to it. Unchanged (same text)
 * when there is nothing to mask.
 */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return URL_MASK;
  }
  let masked = false;
  if (u.password) {
    u.password = URL_MASK;
    masked = true;
  }
  if (u.search.length > 1) {
    const q = new URLSearchParams();
    for (const [name, value] of u.searchParams) q.append(name, value ? URL_MASK : value);
    u.search = q.toString();
    masked = true;
  }
  if (TOKEN_IN_PATH.some((re) => re.test(u.pathname))) {
    u.pathname = u.pathname.replace(/[^/]+$/, URL_MASK);
    masked = true;
  }
  return masked ? u.toString() : url;
}

/**
 * The URL a PATCH means: the masked form of the stored URL as GET showed it keeps the stored one; an edited URL
 * that still has masked parts (the host changed, `access_token=****` left alone) gets them from the stored URL.
 */
export function unmaskUrl(sent: string, stored: string): string {
  if (sent === maskUrl(stored)) return stored;
  if (!sent.includes(URL_MASK)) return sent;
  let u: URL;
  let s: URL;
  try {
    u = new URL(sent);
    s = new URL(stored);
  } catch {
    return sent; // not a URL: the config schema says so
  }
  const missing = (what: string) => new ChannelConfigError(`url: ${what} is masked (${URL_MASK}) and there is no stored value for it; type the real one`);
  if (u.password === URL_MASK) {
    if (!s.password) throw missing('the password');
    u.password = s.password;
  }
  if ([...u.searchParams.values()].includes(URL_MASK)) {
    const storedValues = new Map<string, string[]>();
    for (const [name, value] of s.searchParams) storedValues.set(name, [...(storedValues.get(name) ?? []), value]);
    const q = new URLSearchParams();
    for (const [name, value] of u.searchParams) {
      if (value !== URL_MASK) q.append(name, value);
      else {
        const real = storedValues.get(name)?.shift();
        if (real === undefined) throw missing(`query parameter ${name}`);
        q.append(name, real);
      }
    }
    u.search = q.toString();
  }
  if (u.pathname.endsWith(`/${URL_MASK}`)) {
    if (!TOKEN_IN_PATH.some((re) => re.test(s.pathname))) throw missing('the path token');
    u.pathname = u.pathname.slice(0, -URL_MASK.length) + s.pathname.slice(s.pathname.lastIndexOf('/') + 1);
  }
  return u.toString();
}

export function viewUrl<C extends UrlConfig>(config: C): C {
  return { ...config, url: maskUrl(config.url) };
}

export function unmaskUrlIn(sent: Record<string, unknown>, stored: UrlConfig): Record<string, unknown> {
  return typeof sent.url === 'string' ? { ...sent, url: unmaskUrl(sent.url, stored.url) } : sent;
}

/**
 * What a new URL needs given again, nothing while the URL stays: the URL typed in full (its masked parts are not
 * carried over from the stored one), what the kind adds (`more`), and a stored secret (or null to remove it).
 */
export function urlSecretsToRepeat(current: KindChannel<UrlConfig>, next: UrlConfig, patch: ChannelPatchParts, more: () => string[] = () => []): string[] {
  if (current.config.url === next.url) return [];
  const needs: string[] = [];
  const sentUrl = patch.config?.url;
  if (typeof sentUrl === 'string' && sentUrl.includes(URL_MASK)) needs.push(`the full URL (its masked ${URL_MASK} parts are not carried to a new URL)`);
  needs.push(...more());
  if (current.secret !== null && patch.secret === undefined) needs.push('the signing secret (`secret`)');
  return needs;
}

/** POST JSON; non-2xx or a chat tool's error code in the body ({errcode} / {code}) is a failure. */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  if (text.startsWith('{')) {
    let parsed: { errcode?: unknown; code?: unknown; errmsg?: unknown; msg?: unknown } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = undefined; // a 2xx with a non-JSON body is a success for a generic receiver
    }
    const code = parsed?.errcode ?? parsed?.code;
    if (typeof code === 'number' && code !== 0) throw new Error(`receiver error ${code}: ${String(parsed?.errmsg ?? parsed?.msg ?? '')}`);
  }
}

/** The URL field (shown masked on the edit page; sent back unchanged, the stored URL stays). */
export const URL_FIELD: SettingsField<UrlConfig> = {
  name: 'url',
  label: 'settings.webhookUrl',
  input: 'url',
  required: true,
  value: (c) => c.url,
  hint: 'settings.urlMasked',
};

/** The create form's one value for a URL kind. */
export const urlFromForm = (form: Record<string, string>) => ({ config: { url: form.url ?? '' } });

/** DingTalk "加签" / Feishu signature secret: like the SMTP password, never put into the page. */
export const SIGNING_SECRET: SecretSpec = {
  field: 'secret',
  clearField: 'clearSecret',
  stateId: 'secret-state',
  createLabel: 'settings.newSecret',
  newLabel: 'settings.newSecret',
  stored: 'settings.secretStored',
  none: 'settings.noSecret',
  clear: 'settings.clearSecret',
};

/** The on-duty people's phone numbers, for a chat's own mention field (never mentioned in the text). */
export function onDutyPhones(m: { recipients: ReadonlyArray<{ phone?: string | null }> }): string[] {
  return m.recipients.map((r) => r.phone).filter((p): p is string => !!p);
}
