/**
 * The quota report service: one quarter's report per unit (JSON for the admin API and console), and the
 * same report as a spreadsheet (.xlsx via exceljs: a summary sheet and the counted items) and as CSV.
 * The admin API reads it through its QuotaReportPort.
 *
 * @example
 *   const reports = createQuotaReports({ config, facts: createMongoQuotaFacts(models.Suggestion), agents, clock });
 *   await reports.report({ year: 2021, quarter: 3 })
 */
import ExcelJS from 'exceljs';
import { neutraliseCell } from '../infra/spreadsheet.js';
import type { Clock } from '../infra/clock.js';
import { quotaReportTexts as T } from '../../flows/texts/agent.js';
import type { AgentDirectory } from './agent-directory.js';
import { quarterMonths, quarterOf, quarterRange, type Quarter } from './quarter-calendar.js';
import { campaignsInQuarter, computeQuarterReport, type QuarterReport, type QuotaConfig, type QuotaFacts, type UnitQuarterReport } from './quota-ledger.js';

export interface QuotaReports {
  report(q: { unit?: string; year?: number; quarter?: number }): Promise<QuarterReport>;
  xlsx(q: { unit?: string; year?: number; quarter?: number }): Promise<{ filename: string; body: Buffer }>;
  csv(q: { unit?: string; year?: number; quarter?: number }): Promise<{ filename: string; body: string }>;
}

export interface QuotaReportsDeps {
  config: QuotaConfig;
  facts: QuotaFacts;
  agents: Pick<AgentDirectory, 'list'>;
  clock: Clock;
}

/** The quarter quota report for the admin API and its .xlsx / CSV downloads (the current quarter by default). */
export function createQuotaReports(deps: QuotaReportsDeps): QuotaReports {
  const { config, facts, agents, clock } = deps;
  const tz = config.service.timezone;

  async function report(q: { unit?: string; year?: number; quarter?: number }): Promise<QuarterReport> {
    const now = clock.now();
    const quarter: Quarter = q.year !== undefined && q.quarter !== undefined ? { year: q.year, quarter: q.quarter } : quarterOf(now, tz);
    const range = quarterRange(quarter, tz);
    const campaignFacts: Record<string, Awaited<ReturnType<QuotaFacts['between']>>> = {};
    for (const c of campaignsInQuarter(config, quarter)) {
      const start = config.campaigns.find((x) => x.id === c.campaign)?.start;
      // Up to one millisecond past the deadline: the deadline itself counts.
      campaignFacts[c.campaign] = await facts.between(new Date(start ?? 0), new Date(Date.parse(c.deadline) + 1));
    }
    const agentsByUnit: Record<string, string[]> = {};
    for (const a of await agents.list()) if (a.active) (agentsByUnit[a.unit] ??= []).push(a.name);
    return computeQuarterReport({
      config,
      quarter,
      now,
      facts: await facts.between(range.from, range.to),
      campaignFacts,
      agentsByUnit,
      ...(q.unit ? { unit: q.unit } : {}),
    });
  }

  return {
    report,
    async xlsx(q) {
      const r = await report(q);
      return { filename: fileName(r, 'xlsx'), body: await toQuotaXlsx(r) };
    },
    async csv(q) {
      const r = await report(q);
      return { filename: fileName(r, 'csv'), body: toQuotaCsv(r) };
    },
  };
}

const fileName = (r: QuarterReport, ext: string) => `quota-${r.year}-Q${r.quarter}.${ext}`;

const day = (iso: string, tz: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
const time = (iso: string, tz: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** The summary rows: one per unit, every cell a string. */
export function summaryRows(r: QuarterReport): string[][] {
  const months = quarterMonths(r);
  const header = [T.headers.unit, T.headers.kind, T.headers.agents, T.headers.requiredMonths, ...months.map(T.headers.month), T.headers.missingMonths, T.headers.campaign, T.headers.status];
  const rows = r.units.map((u: UnitQuarterReport) => [
    u.unitName,
    T.kinds[u.kind] ?? u.kind,
    u.agents.length ? u.agents.join(T.listSeparator) : T.noAgent,
    u.requiredMonths.map(T.monthName).join(T.listSeparator),
    ...u.months.map((m) => {
      const n = m.occasions.reduce((s, o) => s + o.suggestions, 0);
      if (m.status === 'met') return T.month.met(m.occasions.filter((o) => o.counts).length, n);
      if (m.status === 'not_required') return T.month.not_required(n);
      return T.month[m.status];
    }),
    u.missingMonths.length ? u.missingMonths.map(T.monthName).join(T.listSeparator) : T.none,
    u.campaigns.length ? u.campaigns.map((c) => T.campaign(c.valuable, c.required, day(c.deadline, r.timezone), c.status)).join(T.campaignSeparator) : T.none,
    T.status[u.status] ?? u.status,
  ]);
  return [header, ...rows];
}

/** The counted items: why each suggestion counts for which unit. */
export function detailRows(r: QuarterReport): string[][] {
  const header = [T.headers.unit, T.headers.reference, T.headers.at, T.headers.belongsTo, T.headers.reason];
  const rows = r.units.flatMap((u) => u.counted.map((c) => [u.unitName, c.reference, time(c.at, r.timezone), T.monthName(c.month), T.reasons[c.reason] ?? c.reason]));
  return [header, ...rows];
}

/** An .xlsx with the summary and the counted items; every cell is a string (never a formula). */
export async function toQuotaXlsx(r: QuarterReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.created = new Date(r.generatedAt);
  for (const [name, rows] of [
    [T.summarySheet, summaryRows(r)],
    [T.detailSheet, detailRows(r)],
  ] as const) {
    const ws = wb.addWorksheet(name);
    for (const row of rows) ws.addRow(row.map(neutraliseCell));
    ws.getRow(1).font = { bold: true };
    ws.columns.forEach((c) => (c.width = 18));
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const csvField = (s: string) => {
  const v = neutraliseCell(s);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

/** The summary as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese correctly). */
export function toQuotaCsv(r: QuarterReport): string {
  return `\ufeff${summaryRows(r)
    .map((row) => row.map(csvField).join(','))
    .join('\r\n')}\r\n`;
}
