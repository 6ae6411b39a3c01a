/** A real full name, as the seed asks (注明真实姓名), and phones said in Chinese numerals. */
import { describe, expect, test } from 'vitest';
import { checkName, chineseDigits, extractIdentity, parsePhone } from '../../src/judgement/identity-parser.js';

describe('checkName', () => {
  test.each([
    ['王建国', '王建国'],
    ['我叫刘德明', '刘德明'],
    ['姓名：周志强', '周志强'],
    ['马丽娟嘛', '马丽娟'],
    ['欧阳明月', '欧阳明月'],
    ['John Smith', 'John Smith'],
    ['张 志 刚', '张志刚'],
  ])('%s is the name %s', (typed, name) => {
    expect(checkName(typed)).toEqual({ ok: true, value: name });
  });

  test.each([
    ['我姓王', 'surname_only'],
    ['免贵姓李', 'surname_only'],
    ['何总', 'title'],
    ['冯医生', 'title'],
    ['老张', 'title'],
    ['王老师', 'title'],
    ['匿名', 'placeholder'],
    ['热心市民', 'placeholder'],
    ['跟上次一样', 'refers_back'],
    ['同上', 'refers_back'],
    ['123', 'invalid'],
  ])('%s is refused: %s', (typed, reason) => {
    expect(checkName(typed)).toEqual({ ok: false, reason });
  });
});

describe('phones in Chinese numerals', () => {
  test('一三八… and 幺 are read as digits, only in runs long enough to be a number', () => {
    expect(chineseDigits('一三八一二三四五六七八')).toBe('13812345678');
    expect(chineseDigits('幺三八 幺二三四 五六七八')).toBe('13812345678');
    expect(chineseDigits('我们村有三五个人')).toBe('我们村有三五个人');
    expect(parsePhone('一五零二三四五六七八九')).toEqual({ ok: true, value: '15023456789', kind: 'mobile' });
  });

  test('units and English names stay whole in free text', () => {
    expect(extractIdentity('重庆三峡学院 Chongqing Three Gorges University').unit).toBe('重庆三峡学院 Chongqing Three Gorges University');
    expect(extractIdentity('John Smith，13812345678').name).toBe('John Smith');
    expect(extractIdentity('张志刚 万州二中')).toMatchObject({ name: '张志刚', unit: '万州二中' });
  });
});
