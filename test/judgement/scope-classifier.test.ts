import { describe, expect, test } from 'vitest';
import { inferCategory, judgeScope } from '../../src/judgement/index.js';
import { evaluateScopeTest } from '../../src/judgement/eval/scope-eval.js';
import { readScopeCorpus, readScopeTestSplit } from '../../src/judgement/corpus/scope-corpus.js';
import { evaluateQuality } from '../../src/judgement/eval/quality-eval.js';

describe('judgeScope on clear cases', () => {
  test.each([
    ['你好', 'start'],
    ['在吗？', 'start'],
    ['我想提个建议', 'start'],
    ['您好，我想就乡村振兴提几点建议', 'start'],
    ['建议在五桥片区增设公交线路，方便学生上下学', 'suggestion'],
    ['我有个建议：农村的快递只到镇上，能不能在村里设代收点，和村便利店合作', 'suggestion'],
    ['建议加快推进成达万高铁建设，并在新田港开通至成都的铁水联运班列，融入成渝地区双城经济圈', 'suggestion'],
  ])('%j is in scope (%s)', (text, kind) => {
    expect(judgeScope(text).kind).toBe(kind);
  });

  test.each([
    ['建议政府给我家解决低保', 'petition'],
    ['为啥我的社保还没到账', 'petition'],
    ['楼下烧烤店油烟直接往楼上灌，投诉了好多次都没有用', 'complaint'],
    ['请问新生儿落户需要带什么材料？', 'consultation'],
    ['举报青山村村支书贪污扶贫款', 'tipoff'],
    ['救命，有人掉河里了', 'help'],
    ['兼职刷单，日赚300，加微信ab12345', 'spam'],
    ['你个傻逼机器人', 'abuse'],
    ['今天天气怎么样', 'chitchat'],
  ])('%j is out of scope as %s', (text, category) => {
    expect(judgeScope(text)).toMatchObject({ kind: 'out_of_scope', category });
  });

  test('a public matter without a proposal is not guessed: the bot asks, offering only kinds a citizen may mean', () => {
    const v = judgeScope('我们村的路什么时候修');
    expect(v.kind).toBe('unsure');
    if (v.kind === 'unsure') {
      expect(v.candidates.length).toBeGreaterThan(0);
      for (const c of v.candidates) expect(['petition', 'complaint', 'tipoff']).toContain(c);
    }
  });

  test.each([
    ['开始', 'start'],
    ['👋👋', 'start'],
    ['在不在嘛', 'start'],
    ['asdfgh', 'spam'],
  ])('%j is judged at once as %s', (text, kind) => {
    const v = judgeScope(text);
    expect(v.kind === 'out_of_scope' ? v.category : v.kind).toBe(kind);
  });

  test.each(['路塌了，快派人！有个车子差点掉下去', '着火了，快来人', '有人落水了', '我们被困在山上了', '救命啊'])(
    'the emergency %j is answered with the emergency kind at once, never asked',
    (text) => {
      expect(judgeScope(text)).toMatchObject({ kind: 'out_of_scope', category: 'help' });
    },
  );

  test.each(['建议在河边装护栏，经常有人落水', '建议对滑坡隐患点装监测设备，提前预警'])('a measure against a danger, %j, is not an emergency', (text) => {
    expect(judgeScope(text).kind).toBe('suggestion');
  });

  test('the same message always gets the same verdict', () => {
    const text = '天城那边新建小区很多但是没有菜市场，建议规划建一个';
    expect(judgeScope(text)).toEqual(judgeScope(text));
  });
});

describe('issue 7: ask rather than refuse a public matter', () => {
  test.each(['我们村的路什么时候修', '我家门口的路灯坏了', '五桥到城区的公交车太少了', '小区门口的红绿灯时间太短了'])(
    'a short public matter without a proposal, %j, is asked about, not refused',
    (text) => {
      const v = judgeScope(text);
      expect(v.kind).toBe('unsure');
      if (v.kind === 'unsure') expect(v.candidates).not.toContain('abuse');
    },
  );

  test.each([
    '我们公司拖欠工资三个月了，老板跑路了，怎么办',
    '工地上欠了我们半年工钱',
    '包工头跑了，工钱一直要不到',
  ])('wage arrears %j are a complaint (12345 / labour inspection), not a request for help', (text) => {
    expect(judgeScope(text)).toMatchObject({ kind: 'out_of_scope', category: 'complaint' });
  });

  test('a measure against wage arrears is not refused', () => {
    const v = judgeScope('建议建立农民工工资保证金制度，防止拖欠工资');
    expect(v.kind).not.toBe('out_of_scope');
  });

  test.each(['你几岁了', '你好可爱', '你睡觉吗'])('plain chitchat %j is answered as chitchat', (text) => {
    expect(judgeScope(text)).toMatchObject({ kind: 'out_of_scope', category: 'chitchat' });
  });
});

describe('evaluation on the frozen test split (corpus/test/, written before any tuning)', () => {
  test('scope: clear out-of-scope first messages refused outright ≥ 95 %, asked ≤ 10 %, suggestions refused ≤ 2 %, every emergency answered, no petition, complaint or tip-off accepted', () => {
    const e = evaluateScopeTest();
    expect(e.total).toBeGreaterThan(400);
    expect(e.outOfScopeRefused).toBeGreaterThanOrEqual(0.95);
    expect(e.outOfScopeAsked).toBeLessThanOrEqual(0.1);
    expect(e.inScopeRefused).toBeLessThanOrEqual(0.02);
    expect(e.emergencyAnswered).toBe(1);
    expect(e.personalAccepted).toBe(0);
  });

  test('drafts: no petition or tip-off of the test split reaches a unit even if the citizen presses 提建议, and no genuine suggestion is referred away', () => {
    const e = evaluateScopeTest();
    expect(e.personalReachUnits.of).toBeGreaterThan(60);
    expect(e.personalReachUnits.count).toBe(0);
    expect(e.suggestionDraftsReferred.count).toBe(0);
  });

  test('quality: the coach agrees with the labels on ≥ 90 % of the test proposals', () => {
    expect(evaluateQuality('test').agreement).toBeGreaterThanOrEqual(0.9);
  });
});

describe('the training corpus', () => {
  const rows = readScopeCorpus();
  const testTexts = new Set(readScopeTestSplit().map((r) => r.text));

  test('never holds a test message, and templates are never most of a kind', () => {
    expect(rows.some((r) => testTexts.has(r.text))).toBe(false);
    const byLabel = new Map<string, { hand: number; template: number }>();
    for (const r of rows) {
      const c = byLabel.get(r.label) ?? { hand: 0, template: 0 };
      c[r.source]++;
      byLabel.set(r.label, c);
    }
    for (const c of byLabel.values()) expect(c.template).toBeLessThanOrEqual(c.hand);
  });

  test('keeps each template phrasing group in one cross-validation fold', () => {
    const folds = new Map<string, Set<number>>();
    for (const r of rows.filter((x) => x.source === 'template')) folds.set(r.group!, (folds.get(r.group!) ?? new Set()).add(r.fold));
    expect([...folds.values()].every((f) => f.size === 1)).toBe(true);
  });
});

describe('inferCategory', () => {
  test.each([
    ['建议建立万开云产业协同发展联席会议机制，探索一体化发展模式', 'innovation'],
    ['建议出台政策，对返乡创业的大学生给予补贴，放宽贷款门槛', 'policy'],
    ['建议优化政务中心办事流程，提高窗口服务效率', 'work'],
    ['北山大道路面坑洼积水，建议尽快修复', 'problem'],
  ])('%j → %s', (text, category) => {
    expect(inferCategory(text)).toBe(category);
  });

  test('a text without any cue gets no category', () => {
    expect(inferCategory('你好')).toBeUndefined();
  });
});
