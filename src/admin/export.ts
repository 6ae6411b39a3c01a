/**
 * Exports of a suggestion list as CSV and .xlsx, and of one recommended suggestion as the city's form.
 * Every cell is plain text: a value starting with = + - @ (or a tab / carriage return) is prefixed with a
 * single quote, so a spreadsheet never runs a citizen's text as a formula.
 */
import { attachmentCounts } from '../../flows/texts/attachments.js';
import ExcelJS from 'exceljs';
import {
  categoryLabels,
  cityFormLabels,
  cityOutcomeLabels,
  exportColumns,
  exportSheetName,
  levelLabels,
  statusLabels,
  yesNo,
} from '../../flows/texts/admin.js';

import { neutraliseCell } from '../infra/spreadsheet.js';

type Doc = Record<string, any>;

export { neutraliseCell };

export interface ExportContext {
  timezone: string;
  unitNames: Readonly<Record<string, string>>;
  ratingLabels?: Readonly<Record<string, string>>;
}

const formatTime = (d: unknown, timezone: string): string => {
  if (!d) return '';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(d as string | Date));
  const v = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${v('year')}-${v('month')}-${v('day')} ${v('hour')}:${v('minute')}`;
};

type ColumnKey = keyof typeof exportColumns;

/** One export row per suggestion, as strings, in `exportColumns` order. */
export function exportRow(d: Doc, ctx: ExportContext): Record<ColumnKey, string> {
  const active = ((d.assignments ?? []) as Doc[]).filter((a) => !a.returnedAt && a.active !== false);
  const unitName = (u: string) => ctx.unitNames[u] ?? u;
  return {
    reference: d.reference ?? '',
    submittedAt: formatTime(d.submittedAt, ctx.timezone),
    theme: d.themeName ?? d.theme ?? '',
    category: d.category ? (categoryLabels[d.category] ?? d.category) : '',
    title: d.title ?? '',
    proposal: d.proposal ?? '',
    feasibility: d.feasibility ?? '',
    proposerName: d.proposer?.name ?? '',
    proposerPhone: d.proposer?.phone ?? '',
    proposerUnit: d.proposer?.unit ?? '',
    enteredBy: d.enteredBy?.agent ? `${d.enteredBy.agent}（${unitName(d.enteredBy.unit ?? '')}）` : '',
    level: levelLabels[d.level] ?? d.level ?? '',
    status: statusLabels[d.status] ?? d.status ?? '',
    units: active.map((a) => unitName(a.unit)).join('、'),
    answers: active
      .filter((a) => a.answer?.text)
      .map((a) => `${unitName(a.unit)}：${a.answer.text}`)
      .join('\n'),
    // 图片1张、位置1个（龙驹镇玉合村）: the files themselves are downloaded from the suggestion's detail.
    attachments: [
      attachmentCounts(((d.attachments ?? []) as Doc[]).map((a) => a.kind)),
      ...((d.attachments ?? []) as Doc[]).filter((a) => a.location?.address || a.location?.name).map((a) => `（${a.location.address ?? a.location.name}）`),
    ].join(''),
    rating: d.evaluation?.rating ? (ctx.ratingLabels?.[d.evaluation.rating] ?? d.evaluation.rating) : '',
    valuable: d.valuable ? yesNo.yes : yesNo.no,
    cityRecommendation: d.cityRecommendation ? (cityOutcomeLabels[d.cityRecommendation.outcome] ?? d.cityRecommendation.outcome) : '',
  };
}

const keys = Object.keys(exportColumns) as ColumnKey[];

const csvField = (s: string) => {
  const v = neutraliseCell(s);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

/** CSV (RFC 4180, CRLF) with a UTF-8 byte-order mark so Excel opens the Chinese text correctly. */
export function toCsv(docs: readonly Doc[], ctx: ExportContext): string {
  const lines = [keys.map((k) => csvField(exportColumns[k])).join(',')];
  for (const d of docs) {
    const row = exportRow(d, ctx);
    lines.push(keys.map((k) => csvField(row[k])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** An .xlsx workbook with one sheet; every cell is a string (never a formula). */
export async function toXlsx(docs: readonly Doc[], ctx: ExportContext, sheetName = exportSheetName): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jianyan';
  const ws = wb.addWorksheet(sheetName);
  ws.columns = keys.map((k) => ({ header: exportColumns[k], key: k, width: k === 'proposal' || k === 'answers' ? 60 : 16 }));
  ws.getRow(1).font = { bold: true };
  for (const d of docs) {
    const row = exportRow(d, ctx);
    ws.addRow(Object.fromEntries(keys.map((k) => [k, neutraliseCell(row[k])])));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * One recommended suggestion as the city's form (重庆市信访办公众信息网 → 人民建议), label by label, ready to
 * be typed or pasted into the city's system.
 */
export function cityForm(d: Doc, ctx: ExportContext & { submitTo: string }): { fields: Array<{ label: string; value: string }>; text: string } {
  const row = exportRow(d, ctx);
  const instruction = d.escalation?.instruction;
  const L = cityFormLabels;
  const fields = [
    { label: L.submitTo, value: ctx.submitTo },
    { label: L.reference, value: row.reference },
    { label: L.proposerName, value: row.proposerName },
    { label: L.proposerPhone, value: row.proposerPhone },
    { label: L.proposerUnit, value: row.proposerUnit },
    { label: L.theme, value: row.theme },
    { label: L.category, value: row.category || L.none },
    { label: L.title, value: row.title },
    { label: L.proposal, value: row.proposal },
    { label: L.feasibility, value: row.feasibility || L.none },
    { label: L.districtHandling, value: row.answers || row.status },
    { label: L.leaderInstruction, value: instruction ? `${instruction.leader}：${instruction.text}` : L.none },
    { label: L.recommendation, value: d.cityRecommendation?.note || L.none },
  ];
  const text = [L.heading, '', ...fields.map((f) => `${f.label}：${f.value}`)].join('\n');
  return { fields, text };
}
