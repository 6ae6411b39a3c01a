/**
 * Exports of a suggestion list as CSV and .xlsx, and of one recommended suggestion as the city's form.
 * Every cell is plain text: a value starting with = + - @ (or a tab / carriage return) is prefixed with a
 * single quote, so a spreadsheet never runs a citizen's text as a formula.
 */
import { attachmentCounts } from '../../flows/texts/attachments.js';
import ExcelJS from 'exceljs';
import { cityFormLabels, exportColumns, exportFileStem, exportSheetName, yesNo } from '../../flows/texts/admin.js';
import { categoryLabels, cityOutcomeLabels, endReasonLabels, levelLabels, outcomeLabels, ratingLabels as defaultRatingLabels, statusLabels } from '../../flows/texts/labels.js';
import type { WorkState } from './work-queue.js';

import { neutraliseCell } from '../infra/spreadsheet.js';

type Doc = Record<string, any>;

export { neutraliseCell };

export interface ExportContext {
  timezone: string;
  unitNames: Readonly<Record<string, string>>;
  ratingLabels?: Readonly<Record<string, string>>;
  /** WeCom userid → name (agents, members), for 代理录入人. */
  staffNames?: Readonly<Record<string, string>>;
  /** Who must act next and by when (work-queue.ts); the export shows the console's reading. */
  workState?: (d: Doc) => WorkState;
}

/** The export's file names, with the local date: ASCII for old clients, Chinese for filename*. */
export function exportFileName(ext: 'csv' | 'xlsx', now: Date, timezone: string): { ascii: string; utf8: string } {
  const day = formatTime(now, timezone).slice(0, 10);
  return { ascii: `suggestions-${day}.${ext}`, utf8: `${exportFileStem(day)}.${ext}` };
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
  const all = (d.assignments ?? []) as Doc[];
  const active = all.filter((a) => !a.returnedAt && a.active !== false);
  const unitName = (u: string) => ctx.unitNames[u] ?? u;
  const time = (v: unknown) => formatTime(v, ctx.timezone);
  // One line per active unit when several handle it: `区发展改革委：2021-07-06 17:00`.
  const perUnit = (f: (a: Doc) => string) => {
    const lines = active.map((a) => [a, f(a)] as const).filter(([, v]) => v);
    return lines.length <= 1 && active.length <= 1 ? (lines[0]?.[1] ?? '') : lines.map(([a, v]) => `${unitName(a.unit)}：${v}`).join('\n');
  };
  const work = ctx.workState?.(d);
  const ratings = ctx.ratingLabels ?? defaultRatingLabels;
  const ins = d.escalation?.instruction;
  const agentName = d.enteredBy?.agent ? (ctx.staffNames?.[d.enteredBy.agent] ?? d.enteredBy.agent) : '';
  return {
    reference: d.reference ?? '',
    submittedAt: time(d.submittedAt),
    theme: d.themeName ?? d.theme ?? '',
    category: d.category ? (categoryLabels[d.category] ?? d.category) : '',
    title: d.title ?? '',
    proposal: d.proposal ?? '',
    feasibility: d.feasibility ?? '',
    proposerName: d.proposer?.name ?? '',
    proposerPhone: d.proposer?.phone ?? '',
    proposerUnit: d.proposer?.unit ?? '',
    enteredBy: agentName ? `${agentName}（${unitName(d.enteredBy.unit ?? '')}）` : '',
    level: levelLabels[d.level] ?? d.level ?? '',
    status: statusLabels[d.status] ?? d.status ?? '',
    units: active.map((a) => unitName(a.unit)).join('、'),
    assignedAt: perUnit((a) => time(a.assignedAt)),
    acceptDue: perUnit((a) => time(a.acceptDueAt)),
    acceptedAt: perUnit((a) => time(a.acceptedAt)),
    answerDue: perUnit((a) => time(a.dueAt)),
    answeredAt: perUnit((a) => time(a.answeredAt ?? a.answer?.at)),
    overdue: work ? (work.overdue ? yesNo.yes : yesNo.no) : '',
    waitingOn: work && work.actor === 'unit' ? work.units.map((u) => `${unitName(u.unit)}${u.step === 'accept' ? '待受理' : '待答复'}`).join('、') : '',
    outcome: perUnit((a) => (a.answer?.outcome ? (outcomeLabels[a.answer.outcome] ?? a.answer.outcome) : '')),
    answers: active
      .filter((a) => a.answer?.text)
      .map((a) => `${unitName(a.unit)}：${a.answer.text}`)
      .join('\n'),
    notAdoptedReason: perUnit((a) => a.answer?.reason ?? ''),
    returns: all
      .filter((a) => a.returnedAt)
      .map((a) => `${unitName(a.unit)} ${time(a.returnedAt)} ${endReasonLabels[a.endReason] ?? ''}${a.returnReason ? `：${a.returnReason}` : ''}`.trim())
      .join('\n'),
    rejection: d.rejection?.reason ?? '',
    // 图片1张、位置1个（龙驹镇玉合村）: the files themselves are downloaded from the suggestion's detail.
    attachments: [
      attachmentCounts(((d.attachments ?? []) as Doc[]).map((a) => a.kind)),
      ...((d.attachments ?? []) as Doc[]).filter((a) => a.location?.address || a.location?.name).map((a) => `（${a.location.address ?? a.location.name}）`),
    ].join(''),
    rating: d.evaluation?.rating ? (ratings[d.evaluation.rating] ?? d.evaluation.rating) : '',
    ratingComment: d.evaluation?.comment ?? '',
    valuable: d.valuable ? yesNo.yes : yesNo.no,
    instruction: ins ? `${ins.leader}：${ins.text}` : d.escalation ? '已呈报，待批示' : '',
    cityRecommendation: d.cityRecommendation ? `${yesNo.yes}（${time(d.cityRecommendation.at)}）` : '',
    cityOutcome: d.cityRecommendation ? (cityOutcomeLabels[d.cityRecommendation.outcome] ?? d.cityRecommendation.outcome) : '',
    awards: ((d.awards ?? []) as Doc[]).map((a) => `${a.year}年度${a.tierName}（${a.amountYuan}元）`).join('；'),
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
  const wide = new Set<ColumnKey>(['proposal', 'feasibility', 'answers', 'notAdoptedReason', 'returns', 'instruction', 'ratingComment']);
  ws.columns = keys.map((k) => ({ header: exportColumns[k], key: k, width: wide.has(k) ? 48 : k === 'title' ? 30 : 18 }));
  ws.getRow(1).font = { bold: true };
  // The header stays in view while scrolling; long text wraps inside its cell.
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 1 }];
  for (const d of docs) {
    const row = exportRow(d, ctx);
    ws.addRow(Object.fromEntries(keys.map((k) => [k, neutraliseCell(row[k])])));
  }
  ws.eachRow((r) => {
    r.alignment = { wrapText: true, vertical: 'top' };
  });
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: keys.length } };
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
