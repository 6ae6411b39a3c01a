import { describe, expect, test } from 'vitest';
import { MemoryLockService } from '../../src/infra/locks.js';
import { RedisKeys } from '../../src/infra/redis-keys.js';
import { appTextsTo, cardsTo, useHandlingWorld } from './handling-world.js';

let locks: MemoryLockService;
const h = useHandlingWorld({ robots: ['robot-fgw', 'robot-xfb'], world: () => ({ locks: (locks = new MemoryLockService()) }) });

const robotTexts = (key: string) => h.fake.robotDelivered.filter((r) => r.key === key).map((r) => (r.body.markdown as { content: string }).content);

describe('deadlines', () => {
  test('a reminder before the due date, then the overdue flag and a message to the office — each once', async () => {
    // Assigned Thu 2021-07-01: accept by Tue 07-06, answer by Thu 07-22 (15 working days), reminder from 07-20.
    const ref = await h.w.submit();
    await h.w.dispatcher().runOnce();

    h.w.clock.set('2021-07-05T09:00:00+08:00');
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ ran: true, reminded: 0, acceptOverdue: 0, overdue: 0 });

    h.w.clock.set('2021-07-07T09:00:00+08:00');
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ acceptOverdue: 1 });
    await h.w.dispatcher().runOnce();
    expect(appTextsTo(h.fake, 'unit_li').at(-1)).toBe(`建议 ${ref}《推进万达开川渝统筹发展示范区建设》已超过受理期限，请尽快受理并办理。`);
    expect(appTextsTo(h.fake, 'office_chen').at(-1)).toBe(`督办：建议 ${ref}《推进万达开川渝统筹发展示范区建设》区发展改革委超过受理期限仍未受理。`);

    await h.w.handling.accept(ref, { unit: 'fgw', by: { kind: 'unit', unit: 'fgw', userid: 'unit_li' } });
    h.w.clock.set('2021-07-21T09:00:00+08:00');
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ reminded: 1, overdue: 0 });
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ reminded: 0 });
    await h.w.dispatcher().runOnce();
    expect(appTextsTo(h.fake, 'unit_zhao').at(-1)).toBe(`提醒：建议 ${ref}《推进万达开川渝统筹发展示范区建设》将于 2021-07-22 到期，请及时答复（回复“答复 ${ref}”）。`);

    h.w.clock.set('2021-07-23T09:00:00+08:00');
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ overdue: 1 });
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ overdue: 0 });
    await h.w.dispatcher().runOnce();
    expect(appTextsTo(h.fake, 'office_chen').at(-1)).toBe(`督办：建议 ${ref}《推进万达开川渝统筹发展示范区建设》区发展改革委已超过答复期限（2021-07-22）仍未答复。`);
    expect(robotTexts('robot-fgw').at(-1)).toContain(`建议逾期未答复 ${ref}`);
    expect(robotTexts('robot-xfb').at(-1)).toContain(`建议逾期未答复 ${ref}`);
    expect(h.fake.appDelivered.filter((d) => d.touser === 'office_chen')).toHaveLength(2);

    const report = await h.w.deadlines.deadlineReport();
    expect(report.rows).toEqual([expect.objectContaining({ reference: ref, waitingOn: 'units', overdue: true, units: [expect.objectContaining({ unit: 'fgw', state: 'overdue' })] })]);
  });

  test('only one worker sweeps at a time', async () => {
    await h.w.submit();
    const held = await locks.tryAcquire(RedisKeys.schedulerLease(), 60_000);
    h.w.clock.set('2021-07-23T09:00:00+08:00');
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ ran: false, overdue: 0 });
    await held!.release();
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ ran: true, overdue: 1 });
  });

  test('the report accounts for every suggestion that needs action: screening, with units, waiting for a rating — not the finished ones', async () => {
    await h.w.citizenSays('你好');
    const screening = await h.w.submit({ theme: 'general', title: '多办社区读书会', proposal: '建议定期举办社区读书分享会，营造全民阅读氛围。' });
    const assigned = await h.w.submit();
    const answered = await h.w.submit();
    await h.w.handling.answer(answered, { unit: 'fgw', outcome: 'adopted', text: '已纳入明年工作计划。', by: { kind: 'office', id: 'admin' } });
    const rejected = await h.w.submit();
    await h.w.handling.reject(rejected, { reason: '与本次征集主题无关', by: { kind: 'office', id: 'admin' } });
    // A suggestion stored by a worker that crashed before routing it is routed by the sweep.
    const unrouted = (await h.w.suggestions.submit((await import('./handling-world.js')).submission())).reference;
    expect(await h.w.deadlines.runDeadlineSweep()).toMatchObject({ routed: 1 });
    expect((await h.w.doc(unrouted)).status).toBe('assigned');

    const r = await h.w.deadlines.deadlineReport();
    const byRef = Object.fromEntries(r.rows.map((x) => [x.reference, x.waitingOn]));
    // The rejected one needs nobody any more: it is not listed (the report no longer reads finished history).
    expect(byRef).toEqual({ [screening]: 'office', [assigned]: 'units', [answered]: 'citizen', [unrouted]: 'units' });
    expect(r.summary).toEqual({ total: 4, waitingOnOffice: 1, waitingOnUnits: 2, waitingOnCitizen: 1, overdue: 0, answeredOnTime: 1, answeredLate: 0 });
  });

  test('pages of the report cover every open suggestion once, oldest first; the summary is over all of them', async () => {
    const refs: string[] = [];
    for (let i = 0; i < 7; i++) refs.push(await h.w.submit({ title: `逾期统计用建议${i}` }));
    const office = { kind: 'office' as const, id: 'admin' };
    // Answered on time; answered late; accepted and then overdue; never accepted (accept overdue); finished.
    await h.w.handling.answer(refs[0]!, { unit: 'fgw', outcome: 'adopted', text: '已纳入明年工作计划。', by: office });
    await h.w.handling.accept(refs[2]!, { unit: 'fgw', by: { kind: 'unit', unit: 'fgw', userid: 'unit_li' } });
    await h.w.handling.reject(refs[4]!, { reason: '与本次征集主题无关', by: office });
    // Past the accept deadline (07-06) only: the ones never accepted are overdue.
    h.w.clock.set('2021-07-07T09:00:00+08:00');
    const early = await h.w.deadlines.deadlineReport();
    expect(early.summary).toMatchObject({ total: 6, waitingOnUnits: 5, overdue: 4, answeredOnTime: 1 });
    expect(early.rows.filter((r) => r.overdue).map((r) => [r.reference, r.units.map((u) => u.state)])).toEqual(
      [refs[1]!, refs[3]!, refs[5]!, refs[6]!].map((ref) => [ref, ['accept_overdue']]),
    );
    h.w.clock.set('2021-07-23T09:00:00+08:00');
    await h.w.handling.answer(refs[1]!, { unit: 'fgw', outcome: 'for_reference', text: '已研究，供参考。', by: office });
    const open = refs.filter((_, i) => i !== 4);

    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push(await h.w.deadlines.deadlineReport(undefined, { page, pageSize: 3 }));
    expect(pages.map((p) => p.rows.length)).toEqual([3, 3, 0]);
    const rows = pages.flatMap((p) => p.rows);
    expect(rows.map((r) => r.reference)).toEqual(open);
    for (const p of pages) expect(p.summary).toEqual(pages[0]!.summary);
    // The summary counted in the database agrees with the rows.
    const units = rows.flatMap((r) => r.units);
    expect(pages[0]!.summary).toEqual({
      total: open.length,
      waitingOnOffice: rows.filter((r) => r.waitingOn === 'office').length,
      waitingOnUnits: rows.filter((r) => r.waitingOn === 'units').length,
      waitingOnCitizen: rows.filter((r) => r.waitingOn === 'citizen').length,
      overdue: rows.filter((r) => r.overdue).length,
      answeredOnTime: units.filter((u) => u.state === 'answered').length,
      answeredLate: units.filter((u) => u.state === 'answered_late').length,
    });
    expect(pages[0]!.summary).toMatchObject({ total: 6, waitingOnCitizen: 2, waitingOnUnits: 4, overdue: 4, answeredOnTime: 1, answeredLate: 1 });
    expect(Object.fromEntries(rows.map((r) => [r.reference, r.units.map((u) => u.state)]))).toEqual({
      [refs[0]!]: ['answered'],
      [refs[1]!]: ['answered_late'],
      [refs[2]!]: ['overdue'],
      [refs[3]!]: ['overdue'],
      [refs[5]!]: ['overdue'],
      [refs[6]!]: ['overdue'],
    });
  });
});

describe('group robots never see personal details', () => {
  test("a title carrying the proposer's name and phone reaches the robots without them, on assignment and when overdue", async () => {
    const ref = await h.w.submit({ title: '张志刚建议：小区停车难，请联系13812345678或023-58123456' });
    await h.w.dispatcher().runOnce();
    h.w.clock.set('2021-07-23T09:00:00+08:00');
    await h.w.deadlines.runDeadlineSweep();
    await h.w.dispatcher().runOnce();
    const sent = [...robotTexts('robot-fgw'), ...robotTexts('robot-xfb')];
    expect(sent.filter((t) => t.includes(ref))).toHaveLength(3); // assigned (fgw), overdue (fgw and the office)
    for (const text of sent) {
      expect(text).not.toMatch(/张志刚|13812345678|58123456/);
      expect(text).toContain('小区停车难');
    }
    // The unit's own app card still carries the contact (members only).
    expect(JSON.stringify(cardsTo(h.fake, 'unit_li')[0])).toContain('13812345678');
  });
});
