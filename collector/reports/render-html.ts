import { DEFAULT_TIMEZONE, zonedParts } from '../contracts/sla-calendar.js';
import { periodBounds } from './holiday-calendar.js';
import { labels } from './labels.js';
import type { HostSection, InspectionReport, ReportLang, Stats } from './model.js';
import { escapeXml as esc, lineChart, riskBars } from './svg.js';
import { checkTitle } from '../../checks/titles.js';

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, no external request, every
 * text escaped. Print CSS gives A4 pages for the PDF.
 */

const CSS = `
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #222; font-size: 12px; line-height: 1.5; margin: 0 auto; max-width: 900px; padding: 12px; }
h1 { font-size: 28px; margin: 0 0 8px; } h2 { font-size: 18px; border-bottom: 2px solid #2c3e50; padding-bottom: 2px; margin-top: 24px; }
h3 { font-size: 15px; margin: 18px 0 6px; } h4 { font-size: 13px; margin: 10px 0 4px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; } th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.cover { min-height: 240mm; display: flex; flex-direction: column; justify-content: center; page-break-after: always; }
.cover dl { display: grid; grid-template-columns: 10em 1fr; gap: 6px 12px; font-size: 15px; } .cover dt { color: #555; }
.score { font-size: 40px; font-weight: bold; } .OK { color: #1e8449; } .WARNING { color: #b9770e; } .CRITICAL { color: #c0392b; } .UNKNOWN { color: #7f8c8d; }
.risk-high { color: #c0392b; font-weight: bold; } .risk-medium { color: #b9770e; font-weight: bold; } .risk-low { color: #555; }
.host, .break { page-break-before: always; } .break + .host { page-break-before: auto; } .muted { color: #777; } .remark { background: #fffbe6; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; } }
`;

function fmtTime(t: number | null, withTime = true): string {
  if (t === null) return '-';
  const p = zonedParts(t, DEFAULT_TIMEZONE);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}${withTime ? ` ${pad(p.hour)}:${pad(p.minute)}` : ''}`;
}

const num = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));
const bytes = (v: number | null) => {
  if (v === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(i ? 1 : 0)} ${units[i]}`;
};
const share = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

export function periodName(period: string, lang: ReportLang): string {
  const [y, q] = [period.slice(0, 4), Number(period.slice(5))];
  return lang === 'zh' ? `${y}年第${['一', '二', '三', '四'][q - 1]}季度` : `Q${q} ${y}`;
}

/** "2026年国庆节前巡检" / "National Day 2026 inspection"; the quarter for a report stored before inspections had keys. */
export function inspectionName(r: { period: string; inspectionKey: string | null; holiday: string | null }, lang: ReportLang): string {
  if (!r.inspectionKey) return periodName(r.period, lang);
  const L = labels(lang);
  const custom = /^custom-(\d{4})-\d{2}-\d{2}$/.exec(r.inspectionKey);
  if (custom) return L.inspectionName(r.holiday && r.holiday !== 'custom' ? r.holiday : r.inspectionKey.slice(7), custom[1]!, false);
  const holiday = r.inspectionKey.replace(/-\d{4}$/, '');
  return L.inspectionName(L.holidays[holiday] ?? holiday, r.inspectionKey.slice(-4), true);
}

function table(head: string[], rows: string[][], numeric: number[] = []): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** A check named after its type (system.disk) is shown by its title in a zh report (磁盘空间与 inode); own names stay. */
function shownCheckName(c: { name: string; checkId: string }, lang: ReportLang): string {
  return lang === 'zh' && c.name === c.checkId ? (checkTitle(c.checkId, 'zh') ?? c.name) : c.name;
}

function hostHtml(h: HostSection, lang: ReportLang): string {
  const L = labels(lang);
  const st = (s: string) => `<span class="${esc(s)}">${esc(L.statusNames[s] ?? s)}</span>`;
  const out: string[] = [`<section class="host"><h3>${esc(h.name)}${h.reachableAtInspection ? '' : ` <span class="risk-high">(${esc(L.notReachableNote)})</span>`}</h3>`];
  out.push(`<p class="muted">${esc(L.kind)}: ${esc(h.kind)} · ${esc(L.criticality)}: ${esc(h.criticality)} · ${esc(L.availability)}: ${h.availabilityPct === null ? '-' : `${h.availabilityPct.toFixed(3)}%`} · ${esc(L.reboots)}: ${h.reboots}</p>`);

  out.push(`<h4>${esc(L.inventory)}</h4>`);
  const inv = h.inventory;
  out.push(
    inv
      ? table([L.os, L.kernel, L.cpuModel, L.cores, L.memory, L.packages], [[esc(inv.os ?? '-'), esc(inv.kernel ?? '-'), esc(inv.cpuModel ?? '-'), num(inv.cpuCores, 0), bytes(inv.memoryBytes), String(inv.packages)]])
      : `<p class="muted">${esc(L.none)}</p>`,
  );
  out.push(`<h4>${esc(L.changes)}</h4>`);
  out.push(
    h.changes.length
      ? table([L.when, L.field, L.oldValue, L.newValue], h.changes.map((c) => [fmtTime(c.changedAt), esc(c.field), esc(c.oldValue ?? '-'), esc(c.newValue ?? '-')]))
      : `<p class="muted">${esc(L.noChanges)}</p>`,
  );

  out.push(`<h4>${esc(L.checks)}</h4>`);
  out.push(
    h.checks.length
      ? table([L.check, L.status, L.result, L.when], h.checks.map((c) => [esc(shownCheckName(c, lang)), st(c.status), esc(c.summary), `${fmtTime(c.lastRunAt)}${c.fresh ? '' : esc(L.lastKnown)}`]))
      : `<p class="muted">${esc(L.none)}</p>`,
  );

  out.push(`<h4>${esc(L.resources)}</h4>`);
  const row = (name: string, s: Stats) => [esc(name), num(s.mean), num(s.p95), num(s.max)];
  out.push(table([L.metric, `${L.avg} %`, `${L.p95} %`, `${L.max} %`], [row(L.cpu, h.cpu), row(L.mem, h.memory), row(L.swap, h.swap)], [1, 2, 3]));
  out.push(
    lineChart(
      [
        { points: h.cpuDaily, color: '#2e86c1', label: L.cpu },
        { points: h.memoryDaily, color: '#8e44ad', label: L.mem },
      ],
      { yMax: 100, unit: '%', title: `${h.name} ${L.cpu} / ${L.mem}` },
    ),
  );

  out.push(`<h4>${esc(L.disks)}</h4>`);
  if (h.disks.length) {
    out.push(
      table(
        [L.mount, L.used, L.size, L.growth, L.fullIn],
        h.disks.map((d) => [
          esc(d.mount),
          `${num(d.usedPct)}%`,
          bytes(d.totalBytes),
          `${num(d.growthPctPerDay, 3)}% (${bytes(d.growthBytesPerDay)})`,
          d.daysUntilFull === null ? esc(L.notFilling) : `${Math.round(d.daysUntilFull)} ${esc(L.days)}`,
        ]),
        [1, 2, 3, 4],
      ),
    );
    const colors = ['#16a085', '#d35400', '#2c3e50', '#c0392b', '#7d3c98', '#1f618d'];
    out.push(lineChart(h.disks.map((d, i) => ({ points: d.dailyMeans, color: colors[i % colors.length]!, label: d.mount, trend: true })), { yMax: 100, unit: '%', title: `${h.name} ${L.disks}` }));
  } else out.push(`<p class="muted">${esc(L.none)}</p>`);

  if (h.network.length) {
    out.push(`<h4>${esc(L.network)}</h4>`);
    out.push(table([L.iface, L.errAvg, L.errMax], h.network.map((n) => [esc(n.iface), num(n.errorsPerSecMean, 3), num(n.errorsPerSecMax, 3)]), [1, 2]));
  }
  const services = (title: string, list: HostSection['databases']) => {
    if (!list.length) return;
    out.push(`<h4>${esc(title)}</h4>`);
    out.push(
      table(
        [L.check, L.status, L.result, L.figures],
        list.map((s) => [
          esc(s.name),
          st(s.status),
          esc(s.summary),
          Object.entries(s.figures)
            .filter(([, v]) => v !== null)
            .map(([k, v]) => `${esc(k)} = ${num(v, 2)}`)
            .join('<br>'),
        ]),
      ),
    );
  };
  services(L.databases, h.databases);
  services(L.devices, h.networkDevices);
  if (h.certificates.length) {
    out.push(`<h4>${esc(L.certificates)}</h4>`);
    out.push(table([L.check, L.daysLeft], h.certificates.map((c) => [esc(c.url), num(c.daysLeft)]), [1]));
  }
  if (h.backups.length) {
    out.push(`<h4>${esc(L.backups)}</h4>`);
    out.push(table([L.check, L.status, L.ageHours, L.result], h.backups.map((b) => [esc(b.path), st(b.status), num(b.ageHours), esc(b.summary)]), [2]));
  }
  out.push('</section>');
  return out.join('\n');
}

export function renderReportHtml(r: InspectionReport): string {
  const L = labels(r.lang);
  const c = r.cover;
  const s = r.summary;
  const name = inspectionName(c, r.lang);
  const title = `${L.title} ${c.customerName} ${name}`;
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="${r.lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">`);
  // No request may leave the page: a CSP that allows only inline style and data: images.
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  parts.push(`<title>${esc(title)}</title><style>${CSS}</style></head><body>`);

  parts.push(`<section class="cover"><h1>${esc(L.title)}</h1><p style="font-size:20px">${esc(c.customerName)} · ${esc(name)}</p><dl>`);
  // The window to the minute: consecutive reports meet at an inspection, which starts mid-morning.
  const partial = c.scope === 'quarter' && c.periodTo < periodBounds(c.period).to;
  const window = `${fmtTime(c.periodFrom)} – ${fmtTime(c.periodTo)}${c.firstReport ? ` (${L.firstReport})` : ''}${partial ? ` (${L.quarterPartial})` : ''}`;
  for (const [k, v, id] of [
    [L.customer, `${c.customerName} (${c.customerId})`, 'cover-customer'],
    [L.period, window, 'cover-window'],
    [L.inspectedAt, c.inspectionAt !== null ? fmtTime(c.inspectionAt) : (c.inspectionDate ?? '-'), 'cover-inspected'],
    [L.engineer, c.engineer || '-', 'cover-engineer'],
    [L.version, L.versionText(c.version), 'cover-version'],
    [L.signedOffCover, r.signOff ? `${r.signOff.name} ${fmtTime(r.signOff.at)}` : L.draft, 'cover-sign-off'],
    [L.generated, fmtTime(c.generatedAt), 'cover-generated'],
  ] as const)
    parts.push(`<dt>${esc(k)}</dt><dd id="${id}">${esc(v)}</dd>`);
  parts.push('</dl></section>');

  parts.push(`<h2>${esc(L.summary)}</h2>`);
  const scoreClass = s.healthScore >= 90 ? 'OK' : s.healthScore >= 70 ? 'WARNING' : 'CRITICAL';
  parts.push(`<p>${esc(L.healthScore)}: <span class="score ${scoreClass}">${s.healthScore}</span></p><p class="muted">${esc(L.healthFormula)}</p>`);
  parts.push(
    table(
      [L.hosts, L.inspected, L.unreachable],
      [[String(s.hostsTotal), String(s.hostsInspected), s.hostsUnreachable.length ? esc(s.hostsUnreachable.join(', ')) : esc(L.none)]],
    ),
  );
  parts.push(`<h4>${esc(L.findingsByRisk)}</h4>${riskBars(s.findingsByRisk, { high: L.high, medium: L.medium, low: L.low })}`);
  const total = s.findingsByRisk.high + s.findingsByRisk.medium + s.findingsByRisk.low;
  parts.push(
    `<p>${esc(L.sinceLast)}: ${
      s.previous
        ? esc(`${inspectionName({ period: s.previous.period, inspectionKey: s.previous.inspectionKey, holiday: s.previous.holiday }, r.lang)} — ${L.previousScore} ${s.previous.healthScore} (${s.healthScore - s.previous.healthScore >= 0 ? '+' : ''}${s.healthScore - s.previous.healthScore}), ${L.previousFindings} ${s.previous.findings} → ${total}`)
        : esc(L.noPrevious)
    }</p>`,
  );

  parts.push(`<h2 class="break">${esc(L.hostSection)}</h2>`);
  for (const h of r.hosts) parts.push(hostHtml(h, r.lang));

  parts.push(`<h2 class="break">${esc(L.tickets)}</h2>`);
  const t = r.tickets;
  if (t.items.length) {
    const metText = (m: boolean | null) => (m === null ? esc(L.pending) : m ? esc(L.met) : `<span class="risk-high">${esc(L.missed)}</span>`);
    parts.push(
      table(
        [L.number, L.host, L.titleCol, L.severity, L.opened, L.response, L.restore],
        t.items.map((i) => [
          esc(i.number),
          esc(i.hostName),
          esc(i.title),
          esc(i.severity),
          fmtTime(i.openedAt),
          i.responseNotApplicable ? esc(L.notApplicable) : `${num(i.responseMin)} / ${esc(L.target)} ${i.responseTargetMin} · ${metText(i.responseMet)}`,
          `${num(i.restoreMin)} / ${esc(L.target)} ${i.restoreTargetMin} · ${metText(i.restoreMet)}`,
        ]),
      ),
    );
    parts.push(table([L.responseShare, L.restoreShare, L.slaShare], [[share(t.responseMetShare), share(t.restoreMetShare), share(t.slaMetShare)]], [0, 1, 2]));
  } else parts.push(`<p class="muted">${esc(L.noTickets)}</p>`);

  parts.push(`<h2>${esc(L.findings)}</h2>`);
  parts.push(
    r.findings.length
      ? table(
          [L.risk, L.host, L.finding, L.detail, L.recommendation, L.remark],
          r.findings.map((f) => [
            `<span class="risk-${f.risk}">${esc(L[f.risk])}</span>`,
            esc(f.hostName || '-'),
            esc(f.title),
            esc(f.detail),
            esc(f.recommendation),
            f.remark ? `<div class="remark">${esc(f.remark)}</div>` : '',
          ]),
        )
      : `<p>${esc(L.noFindings)}</p>`,
  );

  parts.push(`<h2>${esc(L.accounting)}</h2><ol>${L.accountingText.map((x) => `<li>${esc(x)}</li>`).join('')}</ol>`);
  parts.push(`<h2>${esc(L.signOff)}</h2>`);
  parts.push(
    table(
      [L.signedBy, L.signedAt, L.note],
      [r.signOff ? [esc(r.signOff.name), fmtTime(r.signOff.at), esc(r.signOff.note)] : [esc(L.notSigned), '', '']],
    ),
  );
  parts.push('</body></html>');
  return parts.join('\n');
}
