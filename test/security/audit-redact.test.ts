import { expect, test } from 'vitest';
import { MAX_SUMMARY_CHARS, parseBodyForAudit, redactUrl, summarize } from '../../collector/audit/redact.js';

test('URLs keep where they point and lose what opens them: user info, query values, tokens in the path', () => {
  expect(redactUrl('https://ops:hunter2@intranet.example:8443/health?token=abc&mode=full')).toBe('https://intranet.example:8443/health?token=****&mode=****');
  expect(redactUrl('https://open.feishu.cn/open-apis/bot/v2/hook/0f8e6a2c-1111-2222-3333-444455556666')).toBe('https://open.feishu.cn/open-apis/bot/****/hook/****');
  expect(redactUrl('not a url')).toBe('[redacted]');
});

test('a template body: names and thresholds stay; env, headers, args and anything named like a secret do not', () => {
  const body = {
    name: 'web',
    checks: [
      { name: 'api', checkId: 'network.http', params: { url: 'https://a:b@api.example/x', headers: { Authorization: 'Bearer T1', 'X-Trace': 'on' }, warnMs: 500 } },
      { name: 'plug', checkId: 'script.nagios', params: { command: '/usr/lib/nagios/plugins/check_x', args: ['-p', 'PW2'], env: { DB_PASS: 'PW3' } } },
      { name: 'db', checkId: 'db.redis', params: { passwordEnv: 'PATROL_CHECK_REDIS', keyPath: '/root/.ssh/id', apiKey: 'K4', passphrase: 'P5' } },
    ],
  };
  const s = summarize(body)!;
  for (const secret of ['T1', 'PW2', 'PW3', 'K4', 'P5', 'a:b@']) expect(s).not.toContain(secret);
  const parsed = JSON.parse(s);
  expect(parsed.checks[0].params).toEqual({ url: 'https://api.example/x', headers: { Authorization: '[redacted]', 'X-Trace': '[redacted]' }, warnMs: 500 });
  expect(parsed.checks[1].params.args).toEqual(['[redacted] ×2']);
  expect(parsed.checks[1].params.env).toEqual({ DB_PASS: '[redacted]' });
  expect(parsed.checks[1].params.command).toBe('/usr/lib/nagios/plugins/check_x');
});

test('a form field holding JSON (the template form) is redacted as that JSON; free text with credentials is masked', async () => {
  const form = new URLSearchParams({
    _csrf: 'csrf-token-value',
    checks: JSON.stringify([{ name: 'x', params: { env: { SECRET_X: 'S6' } } }]),
    note: 'moved to https://svc:S7@new.example/ ?api_key=S8 today',
  });
  const parsed = await parseBodyForAudit('application/x-www-form-urlencoded', new TextEncoder().encode(form.toString()).buffer as ArrayBuffer);
  const s = summarize(parsed)!;
  for (const secret of ['csrf-token-value', 'S6', 'S7', 'S8']) expect(s).not.toContain(secret);
  expect(JSON.parse(s).checks[0].name).toBe('x');
});

test('key material is redacted whatever the field is called', () => {
  const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
  expect(summarize({ note: pem, sshMaterial: pem })).toBe('{"note":"[redacted]","sshMaterial":"[redacted]"}');
});

test('a huge body keeps only its top-level keys; an empty one is no summary', () => {
  const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, 'v'.repeat(150)]));
  const s = summarize(big)!;
  expect(s.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
  expect(JSON.parse(s)._truncated).toBe(true);
  expect(summarize({})).toBeNull();
  expect(summarize(undefined)).toBeNull();
});
