import type { FieldDeclaration, FieldUnit } from '../../checks/metric-declaration.js';
import * as databaseMetrics from '../../checks/database/metrics.js';
import * as networkMetrics from '../../checks/network/metrics.js';
import * as systemMetrics from '../../checks/system/metrics.js';
import { checkTitle } from '../../checks/titles.js';
import type { Lang } from '../page-kit/i18n/index.js';

/**
 * What a figure in the host page's metrics picker is called and how its numbers read: the declared measurements
 * of checks/<family>/metrics.ts (the same words as the reports and the charts above the picker); a field none declares
 * (a plugin's own figure) is named by its check and field.
 */
const DECLARED = new Map<string, FieldDeclaration>();
for (const family of [systemMetrics, networkMetrics, databaseMetrics]) {
  for (const decl of Object.values(family)) {
    for (const [field, d] of Object.entries(decl.fields as Record<string, FieldDeclaration>)) DECLARED.set(`${decl.name}.${field}`, d);
  }
}

/** A monitoring plugin's performance data (checks/script/nagios.ts): the plugin names the figure, these its parts. */
const NAGIOS_PARTS: Record<string, { en: string; zh: string }> = {
  value: { en: 'value', zh: '值' },
  warn: { en: 'warning threshold', zh: '警告阈值' },
  crit: { en: 'critical threshold', zh: '严重阈值' },
  min: { en: 'minimum', zh: '最小值' },
  max: { en: 'maximum', zh: '最大值' },
};

/** How a unit is named after a figure's title: "内存使用率 (%)". Nothing for plain counts and words. */
const UNIT_WORDS: Record<FieldUnit, { en: string; zh: string } | undefined> = {
  percent: { en: '%', zh: '%' },
  bytes: { en: 'bytes', zh: '字节' },
  bytes_per_sec: { en: 'bit/s', zh: 'bit/s' },
  seconds: { en: 'duration', zh: '时长' },
  days: { en: 'days', zh: '天' },
  count: undefined,
  per_sec: { en: 'per second', zh: '每秒' },
  per_min: { en: 'per minute', zh: '每分钟' },
  boolean: { en: 'yes/no', zh: '是/否' },
  load: undefined,
  epoch_sec: { en: 'time', zh: '时间' },
  text: undefined,
};

export interface MetricTitle {
  /** The figure's name in the page language ("内存使用率"). */
  title: string;
  /** How its numbers are formatted on the chart; undefined: a plain number (a plugin's own figure). */
  unit: FieldUnit | undefined;
  /** The unit as a word after the title ("%", "字节"), or ''. */
  unitWord: string;
}

/**
 * The title and unit of one numeric field a host's check wrote (`checkName` is the assignment's name, which for
 * most checks is the check id): declared, then known, then a plugin's own label, then the check's title and the
 * field name as the last resort.
 */
export function metricTitle(measurement: string, field: string, checkName: string, lang: Lang): MetricTitle {
  const decl = DECLARED.get(`${measurement}.${field}`);
  if (decl) return { title: decl[lang], unit: decl.unit, unitWord: UNIT_WORDS[decl.unit]?.[lang] ?? '' };
  const check = checkTitle(checkName, lang) ?? checkName;
  const part = measurement === 'nagios' ? NAGIOS_PARTS[field]?.[lang] : undefined;
  return { title: `${check} · ${part ?? field}`, unit: undefined, unitWord: '' };
}
