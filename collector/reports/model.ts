import { z } from 'zod';
import { StatusSchema } from '../../shared/status.js';

/**
 * The quarterly inspection report (巡检报告) as data: every figure the HTML and PDF show, and the JSON
 * download. Renderers only format what is here; they compute nothing.
 */

export const ReportLangSchema = z.enum(['zh', 'en']);
export type ReportLang = z.infer<typeof ReportLangSchema>;

export const RiskLevelSchema = z.enum(['high', 'medium', 'low']);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;

const Num = z.number().nullable();

/** Figures over the whole period, from the store's summary (never raw points). */
export const StatsSchema = z.object({ count: z.number(), mean: Num, p95: Num, max: Num, min: Num, last: Num });
export type Stats = z.infer<typeof StatsSchema>;

export const PointSchema = z.object({ time: z.number(), value: z.number() });

export const DiskMountSchema = z.object({
  mount: z.string(),
  usedPct: Num,
  usedBytes: Num,
  totalBytes: Num,
  /** Slope of the least-squares line through the daily means of used_pct, percentage points per day. */
  growthPctPerDay: Num,
  growthBytesPerDay: Num,
  /** (100 - latest daily mean) / slope, when the slope is positive; null = not filling up. */
  daysUntilFull: Num,
  dailyMeans: z.array(PointSchema),
});
export type DiskMount = z.infer<typeof DiskMountSchema>;

export const NetIfaceSchema = z.object({ iface: z.string(), errorsPerSecMean: Num, errorsPerSecMax: Num });

export const CheckAtInspectionSchema = z.object({
  name: z.string(),
  checkId: z.string(),
  status: StatusSchema,
  summary: z.string(),
  statusSince: z.number(),
  lastRunAt: z.number(),
  /** True when the result came from the inspection's fresh run, false when it is the last one known. */
  fresh: z.boolean(),
});

export const ServiceHealthSchema = z.object({
  name: z.string(),
  checkId: z.string(),
  status: StatusSchema,
  summary: z.string(),
  /** Key figures over the period, e.g. { "replication_lag_sec.max": 3 }. */
  figures: z.record(z.string(), Num),
});
export type ServiceHealth = z.infer<typeof ServiceHealthSchema>;

export const InventorySummarySchema = z.object({
  os: z.string().nullable(),
  kernel: z.string().nullable(),
  arch: z.string().nullable(),
  cpuModel: z.string().nullable(),
  cpuCores: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  packages: z.number(),
  collectedAt: z.number(),
});

export const InventoryChangeSchema = z.object({
  field: z.string(),
  oldValue: z.string().nullable(),
  newValue: z.string().nullable(),
  changedAt: z.number(),
});

/** 正常 / 关注 / 异常 (OK / WARNING / CRITICAL), and not checked (no result, or the host was not reachable). */
export const ConclusionSchema = z.enum(['normal', 'attention', 'abnormal', 'not-checked']);
export type Conclusion = z.infer<typeof ConclusionSchema>;

/** One line of a host's checklist (检查项 / 检查标准 / 检查结果 / 结论), in the report's language. */
export const ChecklistRowSchema = z.object({
  category: z.enum(['system', 'database', 'network', 'security', 'backup', 'logs', 'other']),
  checkId: z.string(),
  item: z.string(),
  standard: z.string(),
  result: z.string(),
  conclusion: ConclusionSchema,
});
export type ChecklistRow = z.infer<typeof ChecklistRowSchema>;

export const HostSectionSchema = z.object({
  hostId: z.string(),
  name: z.string(),
  kind: z.string(),
  criticality: z.string(),
  reachableAtInspection: z.boolean(),
  inventory: InventorySummarySchema.nullable(),
  changes: z.array(InventoryChangeSchema),
  checks: z.array(CheckAtInspectionSchema),
  cpu: StatsSchema,
  memory: StatsSchema,
  swap: StatsSchema,
  cpuDaily: z.array(PointSchema),
  memoryDaily: z.array(PointSchema),
  disks: z.array(DiskMountSchema),
  network: z.array(NetIfaceSchema),
  reboots: z.number(),
  /**
   * Minutes inside host-unreachable tickets in the period (overlaps counted once): the one figure that both
   * "unreachable minutes" and availability are worked out from (see the accounting section).
   */
  downMinutes: z.number(),
  /** A host-unreachable ticket was still open when the window ended. */
  unreachableAtEnd: z.boolean().default(false),
  checklist: z.array(ChecklistRowSchema).default([]),
  availabilityPct: Num,
  databases: z.array(ServiceHealthSchema),
  networkDevices: z.array(ServiceHealthSchema),
  certificates: z.array(z.object({ url: z.string(), daysLeft: Num })),
  backups: z.array(z.object({ path: z.string(), status: StatusSchema, ageHours: Num, summary: z.string() })),
});
export type HostSection = z.infer<typeof HostSectionSchema>;

export const TicketLineSchema = z.object({
  number: z.string(),
  hostName: z.string(),
  title: z.string(),
  severity: z.string(),
  state: z.string(),
  openedAt: z.number(),
  responseMin: Num,
  restoreMin: Num,
  responseTargetMin: z.number(),
  restoreTargetMin: z.number(),
  responseMet: z.boolean().nullable(),
  /** Recovered before anyone was told (a blip): there was nothing to respond to. Absent in older reports. */
  responseNotApplicable: z.boolean().default(false),
  restoreMet: z.boolean().nullable(),
});
export type TicketLine = z.infer<typeof TicketLineSchema>;

export const TicketSectionSchema = z.object({
  items: z.array(TicketLineSchema),
  total: z.number(),
  /** Share of decided targets that were met, 0..1; null when none was decided. */
  responseMetShare: Num,
  restoreMetShare: Num,
  /** Share of tickets (with at least one decided target) that missed none. */
  slaMetShare: Num,
});

export const FindingSchema = z.object({
  /** Stable across regenerations (rule + host + subject), so remarks stay attached. */
  id: z.string(),
  rule: z.string(),
  risk: RiskLevelSchema,
  hostId: z.string().nullable(),
  hostName: z.string(),
  title: z.string(),
  detail: z.string(),
  recommendation: z.string(),
  remark: z.string().nullable(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const IssuerSchema = z.object({
  name: z.string(),
  address: z.string(),
  hotline: z.string(),
  email: z.string(),
  /** data: URI of the provider's logo (PNG or SVG, checked when uploaded), or null. */
  logo: z.string().regex(/^data:image\/(png|svg\+xml);base64,[A-Za-z0-9+/=]+$/).nullable(),
});
export type Issuer = z.infer<typeof IssuerSchema>;

/**
 * Where the report's resource figures came from (issue 16): hourly rollups (count, sum, min, max and a p95 histogram
 * per series and hour, with raw points for the window's partial edge hours) or raw points; how p95 was found:
 * 'histogram' = lower edge of the p95BucketPts-wide bucket holding the nearest-rank p95 (at most that much below
 * the exact value), 'exact' = nearest rank over raw points, 'mixed' = some hosts each way. Null in older reports.
 */
export const FigureSourcesSchema = z.object({
  rollupFigures: z.array(z.string()),
  rawFigures: z.array(z.string()),
  p95: z.enum(['histogram', 'exact', 'mixed', 'none']),
  p95BucketPts: z.number(),
  rollupHours: z.number(),
});
export type FigureSources = z.infer<typeof FigureSourcesSchema>;

export const InspectionReportSchema = z.object({
  schemaVersion: z.literal(1),
  lang: ReportLangSchema,
  cover: z.object({
    customerId: z.string(),
    customerName: z.string(),
    /** The quarter of the inspection date (a label and list filter; the window below is what is covered). */
    period: z.string(),
    /** The window the report covers: from the previous inspection (or 3 months back for a first report) to this one. */
    periodFrom: z.number(),
    periodTo: z.number(),
    engineer: z.string(),
    generatedAt: z.number(),
    inspectionAt: z.number().nullable(),
    // Reports stored before reports were keyed by inspection lack these; they read as null/false.
    /** The calendar inspection, e.g. "national-day-2026". */
    inspectionKey: z.string().nullable().default(null),
    /** The holiday id ("national-day") or a custom inspection's name. */
    holiday: z.string().nullable().default(null),
    inspectionDate: z.string().nullable().default(null),
    /** The contract's first report: it covers the months before the inspection, there being no earlier one. */
    firstReport: z.boolean().default(false),
    /** What the window is: a calendar inspection's, or exactly one quarter (`--period 2026Q4`). */
    scope: z.enum(['inspection', 'quarter']).default('inspection'),
    /** Version of this report in its series (same customer, inspection or quarter, language); 1 for older reports. */
    version: z.number().int().min(1).default(1),
    /** Who issues the report (provider settings, copied when the report was made); empty for older reports. */
    issuer: IssuerSchema.default({ name: '', address: '', hotline: '', email: '', logo: null }),
    /** The service contract's number (合同编号). */
    contractNumber: z.string().default(''),
    /** The customer's contact person for the inspection. */
    customerContact: z.object({ name: z.string(), phone: z.string(), email: z.string() }).default({ name: '', phone: '', email: '' }),
  }),
  summary: z.object({
    /** Whether a fresh inspection run was made (else "reachable at inspection" means the last known results). */
    inspectionRun: z.boolean().default(false),
    /** Cases not closed when the report was made, whenever they were opened. */
    openCases: z.array(z.object({ number: z.string(), hostName: z.string(), title: z.string(), severity: z.string(), state: z.string(), openedAt: z.number() })).default([]),
    /** Findings compared with the previous report's (by finding id); null without a previous report. */
    changes: z
      .object({
        resolved: z.array(z.object({ hostName: z.string(), title: z.string() })),
        added: z.array(z.object({ hostName: z.string(), title: z.string() })),
        persisting: z.number(),
      })
      .nullable()
      .default(null),
    healthScore: z.number(),
    hostsTotal: z.number(),
    hostsInspected: z.number(),
    hostsUnreachable: z.array(z.string()),
    findingsByRisk: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
    previous: z
      .object({
        reportId: z.string(),
        period: z.string(),
        healthScore: z.number(),
        findings: z.number(),
        inspectionKey: z.string().nullable().default(null),
        holiday: z.string().nullable().default(null),
      })
      .nullable(),
  }),
  hosts: z.array(HostSectionSchema),
  tickets: TicketSectionSchema,
  findings: z.array(FindingSchema),
  signOff: z.object({ name: z.string(), at: z.number(), note: z.string() }).nullable(),
  figureSources: FigureSourcesSchema.nullable().default(null),
});
export type InspectionReport = z.infer<typeof InspectionReportSchema>;

/** The health score: 100 minus a weight per finding, never below 0 (stated in every report). */
export const HEALTH_WEIGHTS: Record<RiskLevel, number> = { high: 15, medium: 5, low: 1 };

export function healthScore(findings: readonly Pick<Finding, 'risk'>[]): number {
  return Math.max(0, 100 - findings.reduce((s, f) => s + HEALTH_WEIGHTS[f.risk], 0));
}
