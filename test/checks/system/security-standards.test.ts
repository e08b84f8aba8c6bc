import { describe, expect, test } from 'vitest';
import { categoryOf, checkStandard } from '../../../collector/reports/check-standards.js';
import { checkAdvice } from '../../../collector/reports/findings.js';

describe('the security checks in the inspection checklist', () => {
  test('system.accounts and system.updates are security items, with standards from the thresholds in effect', () => {
    expect(categoryOf('system.accounts')).toBe('security');
    expect(categoryOf('system.updates')).toBe('security');
    expect(checkStandard('system.updates', {}, 'zh')).toBe('待安装安全更新 < 1 个正常；≥ 1 个关注；≥ 20 个异常');
    expect(checkStandard('system.updates', { securityWarnCount: 3, securityCritCount: 8 }, 'en')).toBe(
      'pending security updates < 3 normal; ≥ 3 attention; ≥ 8 abnormal',
    );
    expect(checkStandard('system.accounts', {}, 'zh')).toBe('无 root 以外的 UID 0 账号、无空密码账号；每次间隔登录失败 < 10 次（≥ 50 次异常）');
    expect(checkStandard('system.accounts', { failedWarnCount: 5 }, 'en')).toContain('failed log-ins per interval < 5 (≥ 50 abnormal)');
    // Their own advice, not the catch-all sentence.
    expect(checkAdvice('system.updates', 'updates').zh).toContain('安全更新');
    expect(checkAdvice('system.accounts', 'accounts').zh).toContain('空密码');
  });
});
