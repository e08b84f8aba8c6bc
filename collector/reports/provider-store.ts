import { z } from 'zod';
import type { Db } from '../db/database.js';
import { logoDataUri, type Logo, type LogoMime } from './logo.js';

/**
 * Who issues the reports (the maintenance-service company) and, per customer, the contract number and the
 * customer's contact person: what a report's cover, page header and footer show. Admins edit both
 * (/api/settings/provider, the settings page); a report keeps a copy taken when it was generated, so a signed
 * report does not change when the settings do.
 */

const Text = (max: number) => z.string().trim().max(max).default('');
const OptionalEmail = z.union([z.email().max(320), z.literal('')]).default('');

export const ProviderIdentitySchema = z.object({
  /** The company name as the Chinese report shows it (e.g. 某某信息技术有限公司). */
  companyName: Text(200),
  /** The name in English reports; the Chinese name stands in when empty. */
  companyNameEn: Text(200),
  address: Text(500),
  addressEn: Text(500),
  /** The 7x24 service hotline. */
  hotline: Text(100),
  email: OptionalEmail,
});
export type ProviderIdentityInput = z.input<typeof ProviderIdentitySchema>;

export interface ProviderIdentity extends z.infer<typeof ProviderIdentitySchema> {
  logo: { mime: LogoMime; bytes: number } | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

export const CustomerReportProfileSchema = z.object({
  /** The service contract's number (合同编号), on the cover. */
  contractNumber: Text(100),
  /** The customer's contact person for the inspection (客户联系人). */
  contactName: Text(100),
  contactPhone: Text(100),
  contactEmail: OptionalEmail,
  /** More addresses the signed report is e-mailed to (the customer's users with an e-mail get it anyway). */
  reportEmails: z.array(z.email().max(320)).max(20).default([]),
});
export type CustomerReportProfileInput = z.input<typeof CustomerReportProfileSchema>;
export interface CustomerReportProfile extends z.infer<typeof CustomerReportProfileSchema> {
  customerId: string;
  updatedAt: number | null;
}

interface IdentityRow {
  companyName: string;
  companyNameEn: string;
  address: string;
  addressEn: string;
  hotline: string;
  email: string;
  logoMime: LogoMime | null;
  logoBytes: number | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

const EMPTY_IDENTITY: ProviderIdentity = { companyName: '', companyNameEn: '', address: '', addressEn: '', hotline: '', email: '', logo: null, updatedAt: null, updatedBy: null };

export function getProviderIdentity(db: Db): ProviderIdentity {
  const r = db
    .prepare(
      `SELECT company_name AS companyName, company_name_en AS companyNameEn, address, address_en AS addressEn, hotline, email,
              logo_mime AS logoMime, length(logo) AS logoBytes, updated_at AS updatedAt, updated_by AS updatedBy FROM provider_identity WHERE id = 1`,
    )
    .get() as IdentityRow | undefined;
  if (!r) return EMPTY_IDENTITY;
  const { logoMime, logoBytes, ...rest } = r;
  return { ...rest, logo: logoMime && logoBytes ? { mime: logoMime, bytes: logoBytes } : null };
}

/** The stored logo itself, if any. */
export function getProviderLogo(db: Db): Pick<Logo, 'mime' | 'data'> | null {
  const r = db.prepare('SELECT logo_mime AS mime, logo AS data FROM provider_identity WHERE id = 1 AND logo IS NOT NULL').get() as { mime: LogoMime; data: Buffer } | undefined;
  return r ?? null;
}

/**
 * Save the identity. `logo`: a checked logo to store, null to remove it, undefined to keep the stored one.
 */
export function setProviderIdentity(db: Db, input: ProviderIdentityInput, logo: Logo | null | undefined, by: string, now: number): ProviderIdentity {
  const v = ProviderIdentitySchema.parse(input);
  db.prepare(
    `INSERT INTO provider_identity (id, company_name, company_name_en, address, address_en, hotline, email, updated_at, updated_by)
     VALUES (1, @companyName, @companyNameEn, @address, @addressEn, @hotline, @email, @now, @by)
     ON CONFLICT(id) DO UPDATE SET company_name = excluded.company_name, company_name_en = excluded.company_name_en, address = excluded.address,
       address_en = excluded.address_en, hotline = excluded.hotline, email = excluded.email, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run({ ...v, now, by });
  if (logo !== undefined) db.prepare('UPDATE provider_identity SET logo_mime = ?, logo = ? WHERE id = 1').run(logo?.mime ?? null, logo?.data ?? null);
  return getProviderIdentity(db);
}

interface ProfileRow {
  customerId: string;
  contractNumber: string;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  reportEmails: string;
  updatedAt: number;
}

const PROFILE_SELECT = `SELECT customer_id AS customerId, contract_number AS contractNumber, contact_name AS contactName, contact_phone AS contactPhone,
  contact_email AS contactEmail, report_emails AS reportEmails, updated_at AS updatedAt FROM customer_report_profiles`;

function toProfile(r: ProfileRow): CustomerReportProfile {
  const emails = z.array(z.string()).safeParse(JSON.parse(r.reportEmails));
  return { ...r, reportEmails: emails.success ? emails.data : [] };
}

export function getCustomerReportProfile(db: Db, customerId: string): CustomerReportProfile {
  const r = db.prepare(`${PROFILE_SELECT} WHERE customer_id = ?`).get(customerId) as ProfileRow | undefined;
  return r ? toProfile(r) : { customerId, contractNumber: '', contactName: '', contactPhone: '', contactEmail: '', reportEmails: [], updatedAt: null };
}

/** Every customer's profile that has been set (the settings page and API list them). */
export function listCustomerReportProfiles(db: Db): CustomerReportProfile[] {
  return (db.prepare(`${PROFILE_SELECT} ORDER BY customer_id`).all() as ProfileRow[]).map(toProfile);
}

export function setCustomerReportProfile(db: Db, customerId: string, input: CustomerReportProfileInput, now: number): CustomerReportProfile {
  const v = CustomerReportProfileSchema.parse(input);
  db.prepare(
    `INSERT INTO customer_report_profiles (customer_id, contract_number, contact_name, contact_phone, contact_email, report_emails, updated_at)
     VALUES (@customerId, @contractNumber, @contactName, @contactPhone, @contactEmail, @reportEmails, @now)
     ON CONFLICT(customer_id) DO UPDATE SET contract_number = excluded.contract_number, contact_name = excluded.contact_name,
       contact_phone = excluded.contact_phone, contact_email = excluded.contact_email, report_emails = excluded.report_emails, updated_at = excluded.updated_at`,
  ).run({ customerId, ...v, reportEmails: JSON.stringify(v.reportEmails), now });
  return getCustomerReportProfile(db, customerId);
}

/** What a report carries of the provider, in the report's language (the copy taken at generation). */
export interface ReportIssuer {
  name: string;
  address: string;
  hotline: string;
  email: string;
  /** data: URI of the logo (PNG or SVG), or null. */
  logo: string | null;
}

export function reportIssuer(db: Db, lang: 'zh' | 'en'): ReportIssuer {
  const p = getProviderIdentity(db);
  const logo = getProviderLogo(db);
  return {
    name: (lang === 'en' && p.companyNameEn) || p.companyName,
    address: (lang === 'en' && p.addressEn) || p.address,
    hotline: p.hotline,
    email: p.email,
    logo: logo ? logoDataUri(logo) : null,
  };
}
