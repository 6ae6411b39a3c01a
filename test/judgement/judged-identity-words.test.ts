/**
 * Issue 14 (play4 02, 08, 12, 15, 21, 30): names, units and phones as citizens and agents typed them, read
 * by the identity parser; and 打 meaning "call", which is no emergency.
 */
import { describe, expect, test } from 'vitest';
import { checkName, extractIdentity, looksLikeFullName } from '../../src/judgement/identity-parser.js';
import { isEmergency } from '../../src/judgement/scope-rules.js';

describe('a name said with a remark or a particle', () => {
  test.each([
    ['陈小军噻 我刚才说了的嘛', '陈小军'],
    ['陈小军噻', '陈小军'],
    ['要得嘛 杨帆', '杨帆'],
    ['我前面说了 刘德明', '刘德明'],
    ['谭小红哈', '谭小红'],
  ])('%s is the name %s, and reads as a plain full name', (typed, name) => {
    expect(checkName(typed)).toEqual({ ok: true, value: name });
    expect(looksLikeFullName(typed)).toBe(true);
  });

  test.each(['好的', '等一下', '我刚才说了的嘛', '陈小军 张伟'])('%s is not a name with a remark', (typed) => {
    expect(looksLikeFullName(typed)).toBe(false);
  });
});

describe('forms of address are not names', () => {
  test.each(['王同学', '李同学', '张老乡', '刘大妈', '陈嬢嬢'])('%s is refused as a form of address', (typed) => {
    expect(checkName(typed)).toEqual({ ok: false, reason: 'title' });
  });

  test('a real name ending like a title word is kept (王同 is not 王同学)', () => {
    expect(checkName('王同学习')).toEqual({ ok: true, value: '王同学习' });
  });
});

describe('units said as an occupation or a sentence', () => {
  test('在家务农 with the town is the unit, not 家务农', () => {
    expect(extractIdentity('孙家镇 谭小红 电话是一五九二三四五六七八九 在家务农')).toEqual({ name: '谭小红', phone: '15923456789', unit: '孙家镇 在家务农' });
  });

  test('在家带孩子 alone is the unit', () => {
    expect(extractIdentity('刘洋 13812345678 在家带孩子')).toEqual({ name: '刘洋', phone: '13812345678', unit: '在家带孩子' });
  });

  test('a travel agency guide keeps her unit', () => {
    expect(extractIdentity('周丽 15826354789 万州区某旅行社导游')).toEqual({ name: '周丽', phone: '15826354789', unit: '万州区某旅行社导游' });
  });

  test('an agent naming the villager: his name, his phone, his village; the talk is no unit', () => {
    expect(extractIdentity('这个建议是村民提的 填他的名字吧 村民叫牟大兵 电话13908351234 龙沙镇某某村村民')).toEqual({
      name: '牟大兵',
      phone: '13908351234',
      unit: '龙沙镇某某村村民',
    });
  });

  test('没得手机 is no mobile, not "no unit"', () => {
    expect(extractIdentity('没得手机 座机也没得 打我儿子的嘛 13098761234')).toEqual({ phone: '13098761234' });
    expect(extractIdentity('张伟 13812345678 没得')).toEqual({ name: '张伟', phone: '13812345678', unit: '无' });
  });

  test('labelled fields still read as before', () => {
    expect(extractIdentity('姓名：李四 电话 023-58123456 单位：万州二中')).toEqual({ name: '李四', phone: '023-58123456', unit: '万州二中' });
    expect(extractIdentity('名字 张伟 电话13812345678')).toEqual({ name: '张伟', phone: '13812345678' });
  });
});

describe('打 meaning "call" is no emergency; violence still is', () => {
  test.each([
    '没得手机 座机也没得 打我儿子的嘛 13098761234',
    '啥子紧急哦 我是说电话打我儿子那个 13098761234',
    '有事打这个号 13812345678',
    '打我电话就行 一三八一二三四五六七八',
    '打给我女儿嘛 她电话15923456789',
    '白天打村委会的座机 58123456',
  ])('%s', (text) => {
    expect(isEmergency(text)).toBe(false);
  });

  test.each(['有人打我 快打电话报警', '有人打我，快来人 13812345678', '我被人打了，在沙龙路', '两个人在打架 动刀了', '他要打死我'])('%s', (text) => {
    expect(isEmergency(text)).toBe(true);
  });
});

describe('the identity figures of npm run eval', () => {
  test('every phone is read, and at least four messages in five come out with every field right', async () => {
    const { evaluateIdentity } = await import('../../src/judgement/eval/identity-eval.js');
    const e = evaluateIdentity();
    expect(e.total).toBeGreaterThanOrEqual(40);
    expect(e.perField.phone.right).toBe(e.total);
    expect(e.allRight / e.total).toBeGreaterThanOrEqual(0.8);
  });
});

describe('打 near a building number is still violence', () => {
  test('他们打我在三号楼 is an emergency', () => {
    expect(isEmergency('他们打我在三号楼 快来')).toBe(true);
  });
});
