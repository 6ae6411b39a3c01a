import { describe, expect, test } from 'vitest';
import { loadTestConfig } from '../../src/infra/config.js';
import { routeSuggestion } from '../../src/handling/route-suggestion.js';
import { assignmentDeadlines, dueAfter } from '../../src/handling/deadlines.js';
import { canTransition, handlingStatus } from '../../src/suggestions/status-machine.js';

const cfg = loadTestConfig();

describe('routing by the campaign theme', () => {
  test.each([
    ['乡村振兴 goes to 农业农村委 and 乡村振兴局', 'rural_revitalization', '发展乡村民宿', '建议在库区乡镇试点民宿集群。', ['nyncw', 'xczxj'], 'rural'],
    ['成渝 goes to 发展改革委', 'chengyu_economic_circle', '加快万达开通道建设', '建议推动万州至达州高速扩容。', ['fgw'], 'chengyu'],
    ['成渝 with an education keyword also goes to 教委', 'chengyu_economic_circle', '共建职业教育园区', '建议与四川共建职业教育实训基地。', ['fgw', 'jw'], 'chengyu-education'],
  ])('%s', (_name, theme, title, proposal, units, ruleId) => {
    expect(routeSuggestion({ theme, title, proposal }, cfg)).toEqual({ units, level: 'district', needsScreening: false, ruleId });
  });

  test('what no rule routes waits for the office to screen it', () => {
    expect(routeSuggestion({ theme: 'general', title: '多办读书会', proposal: '建议定期举办读书分享会，营造阅读氛围。' }, cfg)).toEqual({
      units: [],
      level: 'district',
      needsScreening: true,
      screeningReason: 'no_rule',
    });
  });

  test('a city-wide suggestion is recorded as city level and screened by the office', () => {
    const d = routeSuggestion({ theme: 'rural_revitalization', title: '全市推广农村电商', proposal: '建议在全市范围推广农村电商服务站。' }, cfg);
    expect(d).toMatchObject({ level: 'city', needsScreening: true, screeningReason: 'city_level', units: ['nyncw', 'xczxj'] });
  });

  test('in screening mode a matched rule only proposes units', () => {
    const d = routeSuggestion({ theme: 'chengyu_economic_circle', title: '优化营商环境', proposal: '建议推行一网通办。' }, { ...cfg, routing: { ...cfg.routing, mode: 'screening' } });
    expect(d).toMatchObject({ units: ['fgw'], needsScreening: true, screeningReason: 'mode' });
  });

  test('a category rule only matches that category', () => {
    const routing = { ...cfg.routing, rules: [{ id: 'innov', theme: 'general', category: 'innovation' as const, units: ['gzw'] }, ...cfg.routing.rules] };
    expect(routeSuggestion({ theme: 'general', category: 'innovation', title: 't', proposal: 'p' }, { ...cfg, routing }).units).toEqual(['gzw']);
    expect(routeSuggestion({ theme: 'general', category: 'problem', title: 't', proposal: 'p' }, { ...cfg, routing }).needsScreening).toBe(true);
  });
});

describe('日常建议 by topic and place', () => {
  const route = (title: string, proposal: string, extra: Partial<Parameters<typeof routeSuggestion>[0]> = {}) =>
    routeSuggestion({ theme: 'general', title, proposal, ...extra }, cfg);

  test.each([
    ['parking spaces go to 城管', '增加停车位', '建议在万达广场周边增设临时停车位，缓解停车难。', ['cgj']],
    ['stray dogs go to 公安 and 城管', '整治流浪狗', '建议加强流浪狗收容，减少伤人事件。', ['gaj', 'cgj']],
    ['lifts in old estates go to 住建', '老旧小区加装电梯', '建议简化加装电梯审批流程，给予补贴。', ['zjw']],
    ['noise at night goes to 公安', '治理夜间噪音扰民', '建议对广场舞音量设置时段限制。', ['gaj']],
    ['a clinic goes to 卫健', '延长社区诊所服务时间', '建议社区诊所周末也开门看病。', ['wjw']],
    ['a bus line goes to 交通', '增设公交站', '建议在小区门口增设公交站。', ['jtj']],
  ])('%s', (_name, title, proposal, units) => {
    expect(route(title, proposal)).toMatchObject({ units, needsScreening: false });
  });

  test('a village named in a 城管 suggestion brings in its town as co-handler', () => {
    const d = route('规范集镇占道经营', '我是玉合村的村民，建议在赶集日划定摊贩经营区域，解决占道问题。');
    expect(d).toMatchObject({ units: ['cgj', 'longju'], needsScreening: false, ruleId: 'general-city-management' });
    expect(d.places).toEqual([{ name: '玉合村', units: ['longju'] }]);
  });

  test('a town named without any rule matching handles the suggestion alone', () => {
    expect(route('多办读书会', '建议白羊镇每月举办一次读书分享会。')).toMatchObject({ units: ['baiyang'], needsScreening: false, ruleId: 'place' });
  });

  test("a town's former name still finds it (高峰镇 became 高峰街道)", () => {
    expect(route('增设公交站', '建议在高峰镇场镇增设公交站。').units).toEqual(['jtj', 'gaofeng']);
  });

  test('a village name two towns share goes to the office, with both towns proposed for it', () => {
    const d = route('修建村级文化广场', '建议在朝阳村修建一个文化广场，方便村民健身。');
    expect(d).toMatchObject({ needsScreening: true, screeningReason: 'ambiguous_place', units: ['wlw'] });
    expect(d.places).toEqual([{ name: '朝阳村', units: ['gaofeng', 'wuling'] }]);
  });

  test('the same village with its town named is not ambiguous', () => {
    expect(route('修建村级文化广场', '建议在武陵镇朝阳村修建一个文化广场，方便村民健身。')).toMatchObject({ units: ['wlw', 'wuling'], needsScreening: false });
  });

  test('a word that only contains a town name does not bring the town in (创新乡镇 is not 新乡镇)', () => {
    expect(route('创新乡镇治理', '建议创新乡镇治理方式，推行网格员制度。').units).not.toContain('xinxiang');
    expect(route('修缮新乡镇敬老院', '建议修缮新乡镇敬老院的屋顶。').units).toContain('xinxiang');
  });

  test('the address of a location the citizen sent counts like the text', () => {
    const d = route('修复路面坑洼', '这段路面坑洼很多，雨天积水，建议尽快修复。', { placeText: '重庆市万州区分水镇石碾村' });
    expect(d.units).toEqual(['jtj', 'fenshui']);
  });

  test('a campaign suggestion keeps its theme rule and gains the town it names', () => {
    const d = routeSuggestion({ theme: 'rural_revitalization', title: '发展乡村民宿', proposal: '建议在恒合土家族乡发展高山避暑民宿。' }, cfg);
    expect(d.units).toEqual(['nyncw', 'xczxj', 'henghe']);
  });
});

describe('deadlines in working days', () => {
  test('skip weekends: assigned on a Friday, three working days end on Wednesday night (Beijing time)', () => {
    const due = dueAfter(new Date('2021-07-02T10:00:00+08:00'), 3, cfg);
    expect(due.toISOString()).toBe(new Date('2021-07-07T23:59:59.999+08:00').toISOString());
  });

  test('skip the National Day holidays and count the makeup Saturday', () => {
    // 9-30 Thu → 10-1..10-7 off (10-2/3 weekend) → 10-8 Fri is day 1, 10-9 Sat (调休) is day 2.
    const due = dueAfter(new Date('2021-09-30T16:00:00+08:00'), 2, cfg);
    expect(due.toISOString()).toBe(new Date('2021-10-09T23:59:59.999+08:00').toISOString());
  });

  test('calendar days when working days are off, and the reminder before the due date', () => {
    const c = { ...cfg, deadlines: { ...cfg.deadlines, workingDays: false, answerDays: 10, remindDaysBefore: 2 } };
    const d = assignmentDeadlines(new Date('2021-07-01T09:00:00+08:00'), c);
    expect(d.dueAt.toISOString()).toBe(new Date('2021-07-11T23:59:59.999+08:00').toISOString());
    expect(d.remindAt.toISOString()).toBe(new Date('2021-07-09T23:59:59.999+08:00').toISOString());
  });
});

describe('the status machine', () => {
  test.each([
    [[{ active: true }], 'assigned'],
    [[{ active: true, acceptedAt: new Date() }, { active: true }], 'accepted'],
    [[{ active: true, answeredAt: new Date() }, { active: true }], 'accepted'],
    [[{ active: true, answeredAt: new Date() }, { active: false }], 'answered'],
    [[{ active: false }], 'returned'],
  ] as const)('assignments %j add up to %s', (assignments, status) => {
    expect(handlingStatus(assignments)).toBe(status);
  });

  test('a rejected or closed suggestion goes nowhere; a rated one only closes', () => {
    expect(canTransition('rejected', 'assigned')).toBe(false);
    expect(canTransition('closed', 'assigned')).toBe(false);
    expect(canTransition('evaluated', 'assigned')).toBe(false);
    expect(canTransition('answered', 'evaluated')).toBe(true);
    expect(canTransition('escalated', 'assigned')).toBe(true);
  });
});
