import { describe, expect, test } from 'vitest';
import { emergencyAt, judgeDraft, referralFor, REFERRAL_KEYS, SCOPE_SCREENING_FLAG } from '../../src/judgement/index.js';
import { coachQuality } from '../../src/judgement/quality-coach.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { routeSuggestion } from '../../src/handling/route-suggestion.js';

describe('a written draft is judged again before it is accepted (issue 15)', () => {
  test.each([
    ['建议给我家评贫困户', 'petition', 'petition'],
    ['建议政府给他（我儿子）安排到区里哪个单位上班', 'petition', 'petition'],
    ['建议纪委好好查一下甘宁镇某某村的会计，他贪了好多低保的钱', 'tipoff', 'discipline'],
    ['我的驾照被扣满12分了，能不能通融一下', 'petition', 'petition'],
  ])('%j is referred even after the citizen pressed 提建议', (text, category, referral) => {
    expect(judgeDraft(text, { citizenChose: true })).toMatchObject({ kind: 'refer', category, referral });
  });

  test.each(['李书记收了老板的红包，建议纪委查一下', '建议查一下青山村的村支书，他把扶贫款拿去修自己的房子'])('an accusation against a named person, %j, goes to 12388', (text) => {
    expect(judgeDraft(text, { citizenChose: true })).toMatchObject({ kind: 'refer', reason: 'accusation', referral: 'discipline' });
  });

  test.each(['建议纪委加强对村干部的监督，防止贪污低保款', '建议建立村级财务公开制度，防止村干部挪用集体资金'])(
    'a measure against misconduct in general, %j, is a suggestion, not an accusation',
    (text) => {
      expect(judgeDraft(text, { citizenChose: true })).toEqual({ kind: 'proceed' });
    },
  );

  test('a measure for a shared road, written without 建议, goes on as a suggestion', () => {
    expect(judgeDraft('就是恒合乡到我们村那条路，有七八公里，加宽到能会车就可以了')).toEqual({ kind: 'proceed' });
  });

  test('a torn draft is asked about first; once the citizen chose 提建议 it is held for screening with a flag', () => {
    const text = '我们村的路什么时候修';
    expect(judgeDraft(text)).toMatchObject({ kind: 'ask' });
    expect(judgeDraft(text, { citizenChose: true })).toMatchObject({ kind: 'screen', flag: SCOPE_SCREENING_FLAG });
  });

  test('the scope judgement of the conversation port is the one used', () => {
    const v = judgeDraft('建议在五桥片区增设公交线路，方便学生上下学', { judgeScope: () => ({ kind: 'unsure', candidates: ['complaint'], confidence: 0.3 }) });
    expect(v.kind).not.toBe('refer');
  });
});

describe('emergencies at any step', () => {
  test.each(['路塌了，快派人！有个车子差点掉下去', '救命，山体滑坡了', '着火了', '有人落水了', '我们被困在山上了'])('%j is an emergency', (text) => {
    expect(emergencyAt(text)).toEqual({ kind: 'emergency', referral: 'help' });
  });

  test.each(['张志刚', '13812345678', '建议在河边装护栏，经常有人落水', '我们那条路塌了一段，建议修的时候加挡墙', '上个月有个小孩在这里落水了，幸好被人救起来'])('%j is not', (text) => {
    expect(emergencyAt(text).kind).toBe('none');
  });
});

describe('referrals by kind and matter', () => {
  test.each([
    ['complaint', '老板欠了我三个月工资不给', 'wages'],
    ['complaint', '公司不给我买社保', 'wages'],
    ['complaint', '楼上天天往下扔垃圾，物业也不管', 'complaint'],
    ['complaint', '那个化工厂天天排黑烟', 'environment'],
    ['complaint', '网上买的衣服是假货，商家不退钱', 'consumer'],
    ['tipoff', '村支书把扶贫款拿去给自己修房子了', 'discipline'],
    ['tipoff', '有人在河里电鱼', 'tipoff'],
    ['petition', '我妈的低保被取消了，想申请恢复', 'petition'],
    ['consultation', '只能提乡村振兴和成渝的吗？', 'campaign'],
    ['consultation', '新生儿上户口要带什么材料', 'consultation'],
    ['help', '着火了', 'help'],
  ] as const)('%s %j → %s', (kind, text, key) => {
    expect(referralFor(kind, text)).toBe(key);
  });

  test('every referral key has a text in the config, and 12333 appears only in the wages text', () => {
    const cfg = loadTestConfig();
    for (const k of REFERRAL_KEYS) expect(cfg.scope.referrals[k]).toBeTruthy();
    for (const k of REFERRAL_KEYS) if (k !== 'wages') expect(cfg.scope.referrals[k]).not.toContain('12333');
    expect(cfg.scope.referrals.help).toMatch(/110.*119.*120.*122/u);
    expect(cfg.scope.referrals.environment).toContain('12369');
    expect(cfg.scope.referrals.consumer).toContain('12315');
    expect(cfg.scope.referrals.discipline).toContain('12388');
  });
});

describe('a flagged suggestion is held for the office, never auto-routed', () => {
  const cfg = loadTestConfig();
  const rural = { theme: 'rural_revitalization', title: '发展乡村民宿', proposal: '建议在高峰镇试点民宿集群。' };

  test('without a flag a matched rule routes it', () => {
    expect(routeSuggestion(rural, cfg).needsScreening).toBe(false);
  });

  test.each([['scope_uncertain'], ['one_sentence'], ['vague']])('with the %s flag it waits for screening', (flag) => {
    expect(routeSuggestion({ ...rural, qualityFlags: [flag] }, cfg)).toMatchObject({ needsScreening: true, screeningReason: 'flagged', units: ['nyncw', 'xczxj', 'gaofeng'] });
  });
});

describe('quality coaching that helps, not nags', () => {
  test('numbered steps of one measure are one matter', () => {
    const v = coachQuality('关于万州北站的接驳：一是把公交接驳线延长到江南新区；二是公交班次和动车到站时间对上；三是晚上十点后加开一班。');
    expect(v).toEqual({ ok: true });
  });

  test('a measure without the word 建议 is a measure', () => {
    expect(coachQuality('村里的晒坝太小了，秋收的时候晒不下，在村委会旁边的空地再硬化一块做晒坝')).toEqual({ ok: true });
  });

  test('a slogan and a one-liner are coached, softly (the citizen may insist once)', () => {
    expect(coachQuality('乡村振兴要抓好产业，产业兴旺是基础，要全面推进、统筹谋划')).toMatchObject({ ok: false, problem: 'vague', soft: true });
    expect(coachQuality('多修点公厕')).toMatchObject({ ok: false, problem: 'one_sentence', soft: true });
  });

  test('a short demand is a one-liner to flesh out (soft), not a title and not "no measure"', () => {
    for (const t of ['公交车再多一点', '红绿灯修一下', '学校加个食堂']) expect(coachQuality(t)).toMatchObject({ ok: false, problem: 'one_sentence', soft: true });
    expect(coachQuality('关于规范共享单车停放')).toMatchObject({ ok: false, problem: 'title_only' });
  });

  test('several unrelated matters are still several', () => {
    expect(coachQuality('一是发展柠檬产业，建加工厂；二是整治城区噪音扰民；三是提高教师工资。')).toMatchObject({ ok: false, problem: 'multiple_matters' });
  });
});
