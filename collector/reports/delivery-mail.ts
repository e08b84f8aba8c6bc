import type { Db } from '../db/database.js';
import { localDate } from './holiday-calendar.js';
import { labels } from './labels.js';
import type { InspectionReport } from './model.js';
import { getCustomerReportProfile } from './provider-store.js';
import { inspectionName } from './render-html.js';

/**
 * What the mail that carries a signed inspection report says, and to whom it goes. The words are the report's
 * language (a zh report goes to the customer in Chinese, an en one in English): the customer chose it when the
 * report was made for them.
 */

/**
 * The customer's contacts for reports: its enabled users with an e-mail address, the contact person named on the
 * cover, and the extra addresses of its report profile (settings → provider), each once, in that order.
 */
export function reportRecipients(db: Db, customerId: string): string[] {
  const users = (
    db
      .prepare(
        `SELECT c.email FROM users u JOIN user_contacts c ON c.user_id = u.id
         WHERE u.role = 'customer' AND u.customer_id = ? AND u.disabled_at IS NULL AND c.email IS NOT NULL AND c.email <> '' ORDER BY u.created_at`,
      )
      .all(customerId) as Array<{ email: string }>
  ).map((r) => r.email);
  const profile = getCustomerReportProfile(db, customerId);
  const all = [...users, profile.contactEmail, ...profile.reportEmails].map((e) => e.trim().toLowerCase()).filter(Boolean);
  return [...new Set(all)];
}

export interface DeliveryMailText {
  subject: string;
  body: string;
}

/** The report's page in the portal: absolute with the collector's public URL, else the path to log in and open. */
export function reportLink(reportId: string, publicUrl: string | undefined): string {
  const path = `/reports/${encodeURIComponent(reportId)}`;
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${path}` : path;
}

/** Subject "巡检报告：ACME 2027年元旦前巡检（2026-09-25 至 2026-12-24）" and a short letter, in the report's language. */
export function deliveryMail(report: InspectionReport, reportId: string, publicUrl: string | undefined, withWord = true): DeliveryMailText {
  const c = report.cover;
  const L = labels(report.lang);
  const name = inspectionName(c, report.lang);
  const from = localDate(c.periodFrom);
  const to = localDate(c.periodTo);
  const link = reportLink(reportId, publicUrl);
  const r = report.summary.findingsByRisk;
  const signer = report.signOff?.name || c.engineer;
  const signedDay = report.signOff ? localDate(report.signOff.at) : localDate(c.generatedAt);
  const sender = c.issuer.name;
  const greeting = c.customerContact.name || c.customerName;
  if (report.lang === 'zh') {
    const version = c.version > 1 ? `（第 ${c.version} 版）` : '';
    return {
      subject: `${L.title}：${c.customerName} ${name}（${from} 至 ${to}）${version}`,
      body: [
        `${greeting}，您好：`,
        '',
        `${c.customerName}「${name}」的巡检报告${version}已由 ${signer} 于 ${signedDay} 签核，${withWord ? 'PDF 和 Word 文件' : 'PDF 文件'}见附件。`,
        `报告范围：${from} 至 ${to}`,
        `健康评分：${report.summary.healthScore}；发现问题 ${r.high + r.medium + r.low} 项（高风险 ${r.high}、中风险 ${r.medium}、低风险 ${r.low}）。`,
        '',
        `请登录巡检平台查看报告并在线签收；如对报告有意见，可在同一页面退回并说明原因，我们修改后会重新发送：`,
        publicUrl ? link : `${link}（请在巡检平台中打开）`,
        '',
        ...(sender ? [sender] : []),
        ...(c.issuer.hotline ? [`服务热线：${c.issuer.hotline}`] : []),
      ].join('\n'),
    };
  }
  const version = c.version > 1 ? ` (version ${c.version})` : '';
  return {
    subject: `${L.title}: ${c.customerName} ${name} (${from} – ${to})${version}`,
    body: [
      `Dear ${greeting},`,
      '',
      `The inspection report${version} of ${c.customerName}, ${name}, was signed off by ${signer} on ${signedDay}; ${withWord ? 'the PDF and the Word file are' : 'the PDF is'} attached.`,
      `Period covered: ${from} – ${to}`,
      `Health score: ${report.summary.healthScore}; ${r.high + r.medium + r.low} findings (${r.high} high, ${r.medium} medium, ${r.low} low risk).`,
      '',
      'Please open the report in the portal and accept it there; if something in it is wrong, return it on the same page with your reasons and we will send a corrected version:',
      publicUrl ? link : `${link} (open it in the portal)`,
      '',
      ...(sender ? [sender] : []),
      ...(c.issuer.hotline ? [`Hotline: ${c.issuer.hotline}`] : []),
    ].join('\n'),
  };
}
