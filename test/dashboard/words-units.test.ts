import { describe, expect, test } from 'vitest';
import { formatAxisTime, formatCountdownMs, formatDateTime, formatDuration, formatValue } from '../../collector/page-kit/units.js';
import { formatCountdown } from '../../collector/page-kit/format.js';
import { statusLabel, statusLabelsJson } from '../../collector/dashboard/status-view.js';
import { metricTitle } from '../../collector/dashboard/metric-titles.js';
import { translator } from '../../collector/page-kit/i18n/index.js';

/** 2026-12-05 14:03 in Shanghai (06:03 UTC): late enough in the day that a 12-hour clock would say 2 pm. */
const AT = Date.UTC(2026, 11, 5, 6, 3);

describe('words and units a reader sees, zh and en', () => {
  test('one 24-hour date format, year first, in both languages (no 12/05 vs 05/12 to guess)', () => {
    expect(formatDateTime(AT, 'zh', 'Asia/Shanghai')).toBe('2026-12-05 14:03');
    expect(formatDateTime(AT, 'en', 'Asia/Shanghai')).toBe('2026-12-05 14:03');
    // Midnight is 00, never 24.
    expect(formatDateTime(Date.UTC(2026, 11, 4, 16, 0), 'en', 'Asia/Shanghai')).toBe('2026-12-05 00:00');
    expect(formatAxisTime(AT, 3 * 86400_000, 'en', 'Asia/Shanghai')).toBe('12-05 14:03');
    expect(formatAxisTime(AT, 30 * 86400_000, 'zh', 'Asia/Shanghai')).toBe('12-05');
    expect(formatValue('epoch_sec', AT / 1000, 'en', 'Asia/Shanghai')).toBe('2026-12-05 14:03');
  });

  test('durations and countdowns with Chinese units in zh, d/h/m in en', () => {
    const sec = 3 * 86400 + 4 * 3600 + 5 * 60;
    expect(formatDuration(sec, 'zh')).toBe('3天4小时');
    expect(formatDuration(5 * 3600 + 180, 'zh')).toBe('5小时3分钟');
    expect(formatDuration(42, 'zh')).toBe('42秒');
    expect(formatDuration(sec, 'en')).toBe('3 d 4 h');
    expect(formatCountdownMs(sec * 1000, 'zh')).toBe('3天4小时');
    expect(formatCountdownMs(sec * 1000, 'en')).toBe('3d 4h');
    expect(formatCountdownMs((3 * 3600 + 5 * 60) * 1000, 'zh')).toBe('3小时05分');
    expect(formatCountdownMs((3 * 3600 + 5 * 60) * 1000, 'en')).toBe('3h 05m');
    expect(formatCountdownMs(-4 * 60_000, 'zh')).toBe('-4分钟');
    expect(formatCountdownMs(-4 * 60_000, 'en')).toBe('-4m');
    expect(formatCountdown(AT + 12 * 60_000, AT, 'zh')).toBe('12分钟');
  });

  test('statuses are words of the page language', () => {
    const zh = translator('zh');
    expect((['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const).map((s) => statusLabel(s, zh))).toEqual(['正常', '警告', '严重', '未知']);
    expect(JSON.parse(statusLabelsJson(translator('en')))).toEqual({ OK: 'OK', WARNING: 'Warning', CRITICAL: 'Critical', UNKNOWN: 'Unknown' });
  });

  test('a metric is named by its declaration, else by the check and the field', () => {
    expect(metricTitle('mem', 'used_pct', 'system.memory', 'zh')).toEqual({ title: '内存使用率', unit: 'percent', unitWord: '%' });
    expect(metricTitle('ping', 'loss_pct', 'network.ping', 'en')).toMatchObject({ title: 'Packet loss', unit: 'percent' });
    expect(metricTitle('nagios', 'value', 'script.load', 'zh')).toEqual({ title: 'script.load · 值', unit: undefined, unitWord: '' });
    expect(metricTitle('custom', 'thing', 'db.postgres', 'en').title).toBe('PostgreSQL · thing');
  });
});
