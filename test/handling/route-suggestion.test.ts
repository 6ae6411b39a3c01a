import { describe, expect, test } from 'vitest';
import { loadTestConfig } from '../../src/infra/config.js';
import { routeSuggestion } from '../../src/handling/route-suggestion.js';
import { assignmentDeadlines, dueAfter } from '../../src/handling/deadlines.js';
import { canTransition, handlingStatus } from '../../src/suggestions/status-machine.js';

const cfg = loadTestConfig();

describe('routing by the campaign theme', () => {
  test.each([
    ['乡村振兴 goes to 农业农村委 and 乡村振兴局', 'rural_revitalization', '发展乡村民宿', '建议在高峰镇试点民宿集群。', ['nyncw', 'xczxj'], 'rural'],
    ['成渝 goes to 发展改革委', 'chengyu_economic_circle', '加快万达开通道建设', '建议推动万州至达州高速扩容。', ['fgw'], 'chengyu'],
    ['成渝 with an education keyword also goes to 教委', 'chengyu_economic_circle', '共建职业教育园区', '建议与四川共建职业教育实训基地。', ['fgw', 'jw'], 'chengyu-education'],
  ])('%s', (_name, theme, title, proposal, units, ruleId) => {
    expect(routeSuggestion({ theme, title, proposal }, cfg)).toEqual({ units, level: 'district', needsScreening: false, ruleId });
  });

  test('what no rule routes waits for the office to screen it', () => {
    expect(routeSuggestion({ theme: 'general', title: '增设公交站', proposal: '建议在某小区门口增设公交站。' }, cfg)).toEqual({
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
