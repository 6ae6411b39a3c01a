import ExcelJS from 'exceljs';
import { describe, expect, test } from 'vitest';
import { quotaConfig } from './quota-config.js';
import { createAgentDirectory, createMemoryAgentStore } from '../../src/agents/agent-directory.js';
import { monthRange, quarterOf, quarterRange } from '../../src/agents/quarter-calendar.js';
import { computeQuarterReport, type QuotaFact, type QuotaFacts } from '../../src/agents/quota-ledger.js';
import { createQuotaReports, toQuotaCsv } from '../../src/agents/quota-report.js';
import { fixedClock } from '../../src/infra/clock.js';

let seq = 0;
const fact = (at: string, over: Partial<QuotaFact> = {}): QuotaFact => ({
  reference: `WZ2021-${String(++seq).padStart(6, '0')}`,
  submittedAt: new Date(at),
  campaign: 'wz2021',
  valuable: false,
  proposerUnit: '某公司',
  ...over,
});
const by = (unit: string) => ({ enteredBy: { agent: `agent-${unit}`, unit } });

// Q3 2021 (July-September), every time in Asia/Shanghai.
const facts: QuotaFact[] = [
  // 龙驹镇: July 31 23:30 local is still July (UTC: July 31 15:30).
  fact('2021-07-31T23:30:00+08:00', { ...by('longju'), reference: 'LJ-JUL', campaign: 'general' }),
  // October 1 00:10 local is Q4, although it is still September 30 in UTC.
  fact('2021-10-01T00:10:00+08:00', { ...by('longju'), reference: 'LJ-OCT', campaign: 'general' }),
  // 高笋塘街道: July 1 00:05 local (UTC: June 30) belongs to July.
  fact('2021-07-01T00:05:00+08:00', { ...by('gaosun'), reference: 'GS-JUL', campaign: 'general' }),
  // September: no proxy entry, but a valuable campaign suggestion its own people submitted (冲抵).
  fact('2021-09-10T15:00:00+08:00', { reference: 'GS-OWN-VALUABLE', valuable: true, proposerUnit: '万州区高笋塘街道办事处' }),
  // Not valuable: does not offset.
  fact('2021-09-11T15:00:00+08:00', { reference: 'GS-OWN-PLAIN', proposerUnit: '高笋塘街道' }),
  // 区农业农村委: the middle month, on the campaign's deadline second itself, valuable.
  fact('2021-08-31T23:59:59+08:00', { ...by('nyncw'), reference: 'NY-AUG', valuable: true }),
  // 区发展改革委: one second into September: not the middle month, and after the campaign deadline.
  fact('2021-09-01T00:00:01+08:00', { ...by('fgw'), reference: 'FGW-SEP', valuable: true }),
];

function compute(now: string, config = quotaConfig(), list = facts) {
  const quarter = { year: 2021, quarter: 3 };
  const range = quarterRange(quarter, 'Asia/Shanghai');
  const inQuarter = list.filter((f) => f.submittedAt >= range.from && f.submittedAt < range.to);
  const campaign = list.filter((f) => f.submittedAt <= new Date('2021-08-31T23:59:59+08:00'));
  return computeQuarterReport({ config, quarter, now: new Date(now), facts: inQuarter, campaignFacts: { wz2021: campaign }, agentsByUnit: { longju: ['赵六'] } });
}
const unit = (r: ReturnType<typeof compute>, id: string) => r.units.find((u) => u.unit === id)!;

describe('quarters and months in Asia/Shanghai', () => {
  test('month and quarter boundaries are local midnight, not UTC', () => {
    expect(monthRange(2021, 7, 'Asia/Shanghai').from.toISOString()).toBe('2021-06-30T16:00:00.000Z');
    expect(quarterRange({ year: 2021, quarter: 4 }, 'Asia/Shanghai')).toEqual({ from: new Date('2021-09-30T16:00:00Z'), to: new Date('2021-12-31T16:00:00Z') });
    expect(quarterOf(new Date('2021-09-30T16:10:00Z'), 'Asia/Shanghai')).toEqual({ year: 2021, quarter: 4 });
    expect(quarterOf(new Date('2021-09-30T15:59:59Z'), 'Asia/Shanghai')).toEqual({ year: 2021, quarter: 3 });
  });
});

describe('the quarterly quota per unit', () => {
  test('after the quarter: met, behind, missing months, and what counts and why', () => {
    const r = compute('2021-10-08T10:00:00+08:00');
    expect(r.units.map((u) => u.unit)).toEqual(['fgw', 'nyncw', 'jw', 'gzw', 'xczxj', 'longju', 'gaosun']);

    const longju = unit(r, 'longju');
    expect(longju.requiredMonths).toEqual([7, 9]);
    expect(longju.status).toBe('behind');
    expect(longju.missingMonths).toEqual([9]);
    expect(longju.counted.map((c) => c.reference)).toEqual(['LJ-JUL']);
    expect(longju.months[0]).toMatchObject({ month: 7, status: 'met', occasions: [{ day: '2021-07-31', suggestions: 1, counts: true }] });

    const gaosun = unit(r, 'gaosun');
    expect(gaosun.status).toBe('met');
    expect(gaosun.counted.map((c) => [c.reference, c.reason])).toEqual([
      ['GS-JUL', 'proxy_entry'],
      ['GS-OWN-VALUABLE', 'offset_valuable_campaign'],
    ]);

    const nyncw = unit(r, 'nyncw');
    expect(nyncw.requiredMonths).toEqual([8]);
    expect(nyncw.status).toBe('met');
    expect(nyncw.counted[0]).toMatchObject({ reference: 'NY-AUG', reason: 'campaign_proxy_entry', month: 8 });
    expect(nyncw.campaigns).toEqual([{ campaign: 'wz2021', deadline: '2021-08-31T23:59:59+08:00', required: 1, valuable: 1, status: 'met', references: ['NY-AUG'] }]);

    const fgw = unit(r, 'fgw');
    expect(fgw.status).toBe('behind');
    expect(fgw.missingMonths).toEqual([8]);
    // Its September entry is recorded, but September is not a department's month.
    expect(fgw.months[2]).toMatchObject({ month: 9, required: false, status: 'not_required' });
    expect(fgw.campaigns[0]).toMatchObject({ valuable: 0, status: 'missing' });

    expect(unit(r, 'jw')).toMatchObject({ status: 'behind', missingMonths: [8], counted: [] });
    expect(r.summary).toEqual({ units: 7, met: 2, behind: 5, inProgress: 0 });
  });

  test('during the quarter: the current month is open, later months upcoming, nothing missing yet', () => {
    const r = compute('2021-08-15T10:00:00+08:00');
    expect(unit(r, 'jw').months.map((m) => m.status)).toEqual(['not_required', 'open', 'not_required']);
    expect(unit(r, 'jw').status).toBe('in_progress');
    expect(unit(r, 'longju').months.map((m) => m.status)).toEqual(['met', 'not_required', 'upcoming']);
    expect(unit(r, 'fgw').campaigns[0]!.status).toBe('open');
  });

  test('without offsetting, a unit’s own valuable suggestions do not count', () => {
    const r = compute('2021-10-08T10:00:00+08:00', quotaConfig({ offsetting: false }));
    expect(unit(r, 'gaosun')).toMatchObject({ status: 'behind', missingMonths: [9] });
  });

  test('an occasion needs minPerOccasion suggestions on one day', () => {
    const two = [fact('2021-08-03T09:00:00+08:00', by('jw')), fact('2021-08-04T09:00:00+08:00', by('jw')), fact('2021-08-20T09:00:00+08:00', by('gzw')), fact('2021-08-20T17:00:00+08:00', by('gzw'))];
    const r = compute('2021-10-08T10:00:00+08:00', quotaConfig({ minPerOccasion: 2 }), two);
    expect(unit(r, 'jw').months[1]).toMatchObject({ status: 'missing', occasions: [{ suggestions: 1, counts: false }, { suggestions: 1, counts: false }] });
    expect(unit(r, 'gzw').months[1]).toMatchObject({ status: 'met', occasions: [{ day: '2021-08-20', suggestions: 2, counts: true }] });
  });
});

describe('the report as a spreadsheet', () => {
  const memoryFacts: QuotaFacts = { between: async (from, to) => facts.filter((f) => f.submittedAt >= from && f.submittedAt < to) };

  test('the .xlsx read back holds the summary and the counted items; the CSV the summary', async () => {
    const config = quotaConfig();
    const clock = fixedClock('2021-10-08T10:00:00+08:00');
    const agents = createAgentDirectory({ config, store: createMemoryAgentStore(), clock });
    const reports = createQuotaReports({ config, facts: memoryFacts, agents, clock });

    const { filename, body } = await reports.xlsx({ year: 2021, quarter: 3 });
    expect(filename).toBe('quota-2021-Q3.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    const rows = (name: string) => {
      const out: string[][] = [];
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1).map(String)));
      return out;
    };
    const summary = rows('达标情况');
    expect(summary[0]).toEqual(['单位', '类型', '代理员', '应录入月份', '7月录入', '8月录入', '9月录入', '缺录月份', '专题活动有价值建议', '考核结果']);
    expect(summary.find((r) => r[0] === '龙驹镇')).toEqual(['龙驹镇', '镇乡', '赵六', '7月、9月', '已录入（1次，1件）', '非考核月', '缺录', '9月', '0/1件（截止2021/08/31，未完成）', '未达标']);
    expect(summary.find((r) => r[0] === '区农业农村委')).toEqual(['区农业农村委', '区级部门', '李四', '8月', '非考核月', '已录入（1次，1件）', '非考核月', '无', '1/1件（截止2021/08/31，已完成）', '达标']);
    expect(summary.find((r) => r[0] === '区教委')![2]).toBe('未设代理员');
    const detail = rows('计入明细');
    expect(detail).toContainEqual(['高笋塘街道', 'GS-OWN-VALUABLE', '2021/09/10 15:00', '9月', '本单位人员自行提交的有价值专题建议（冲抵）']);
    expect(detail).toContainEqual(['高笋塘街道', 'GS-JUL', '2021/07/01 00:05', '7月', '代理录入']);

    const csv = toQuotaCsv(await reports.report({ year: 2021, quarter: 3 }));
    expect(csv.startsWith('\ufeff单位,类型,代理员')).toBe(true);
    expect(csv).toContain('高笋塘街道,街道,未设代理员,7月、9月,已录入（1次，1件）,非考核月,已录入（1次，1件）,无');
  });

  test('a unit sees only its own row; the default quarter is the current one', async () => {
    const config = quotaConfig();
    const clock = fixedClock('2021-08-15T10:00:00+08:00');
    const reports = createQuotaReports({ config, facts: memoryFacts, agents: createAgentDirectory({ config, store: createMemoryAgentStore(), clock }), clock });
    const r = await reports.report({ unit: 'gaosun' });
    expect([r.year, r.quarter]).toEqual([2021, 3]);
    expect(r.units.map((u) => u.unit)).toEqual(['gaosun']);
  });
});
