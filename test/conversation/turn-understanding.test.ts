/**
 * The turn recogniser against its corpus: the held-out split (written before the recogniser, never trained
 * on) must stay read well, and what would be stored must stay answers. Figures: `npm run eval`.
 */
import { describe, expect, test } from 'vitest';
import { loadTurnCorpus, parseTurnCorpus } from '../../src/conversation/understanding/turn-corpus.js';
import { evaluateTurns } from '../../src/conversation/understanding/turn-eval.js';
import { cleanAnswer, correctionValue, referenceIn, understandTurn } from '../../src/conversation/understanding/understand.js';

describe('the labelled turn corpus', () => {
  test('has at least 2,000 turns across every step, the held-out split apart', () => {
    const train = loadTurnCorpus('train');
    const heldout = loadTurnCorpus('heldout');
    expect(train.length + heldout.length).toBeGreaterThanOrEqual(2000);
    for (const split of [train, heldout]) {
      expect(new Set(split.map((t) => t.step))).toEqual(new Set(['theme', 'title', 'category', 'proposal', 'feasibility', 'name', 'phone', 'unit', 'confirm']));
      expect(new Set(split.map((t) => t.kind))).toEqual(new Set(['answer', 'question', 'command', 'aside', 'correction', 'out_of_scope']));
    }
  });

  test('a malformed line is reported with its line number', () => {
    expect(() => parseTurnCorpus('## proposal\nX 不是标签', 'x.txt')).toThrow('x.txt:2');
    expect(() => parseTurnCorpus('## nowhere\nA 1', 'x.txt')).toThrow('unknown step');
  });
});

describe('the recogniser on the held-out turns', () => {
  test('reads at least nine turns in ten right, and stores at most 2% of non-answers', () => {
    const r = evaluateTurns('heldout');
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    const nonAnswers = r.classes.filter((c) => c.kind !== 'answer').reduce((n, c) => n + c.support, 0);
    expect(r.storedNonAnswers / nonAnswers).toBeLessThanOrEqual(0.02);
    expect(r.commandAccuracy.right / r.commandAccuracy.of).toBeGreaterThanOrEqual(0.95);
  });
});

describe('reading one turn', () => {
  test.each([
    ['proposal', '要写多少字？', 'question'],
    ['proposal', '说完了', 'aside'],
    ['title', '等哈，我先去问下村主任', 'aside'],
    ['proposal', '我要找真人说', 'command'],
    ['feasibility', '标题不对，改一下', 'command'],
    ['phone', '名字写错了，应该是王建华', 'correction'],
  ] as const)('at the %s step "%s" is a %s', (step, text, kind) => {
    expect(understandTurn(text, step).kind).toBe(kind);
  });

  test('filler around an answer is stripped; the answer itself is untouched', () => {
    expect(cleanAnswer('那我提个建议嘛，我们村的路太烂了，建议硬化。', 'proposal')).toBe('我们村的路太烂了，建议硬化。');
    expect(cleanAnswer('标题就叫柑橘销售问题嘛', 'title')).toBe('柑橘销售问题');
    expect(cleanAnswer('建议在路口装红绿灯', 'proposal')).toBe('建议在路口装红绿灯');
  });

  test('a correction carries its new value; a reference number is read without its dash', () => {
    expect(correctionValue('名字是王建国，不是王建军')).toBe('王建国');
    expect(correctionValue('电话留错了 应该是13600001111')).toBe('13600001111');
    expect(referenceIn('WZ2021000004')).toBe('WZ2021-000004');
    expect(referenceIn('查一下 wz2021-000031 的进度')).toBe('WZ2021-000031');
  });
});
