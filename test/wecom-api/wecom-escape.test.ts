import { describe, expect, test } from 'vitest';
import { markdownInert, textInert } from '../../src/wecom-api/wecom-escape.js';
import { robotSafe } from '../../src/handling/outbox.js';

describe("a citizen's words in staff messages", () => {
  test.each([
    ['a link', '[紧急：点此重新登录](http://evil.example/x)', '［紧急：点此重新登录］（http://evil.example/x）'],
    ['a mention of everyone', '请大家看 <@all>', '请大家看 ＜@all＞'],
    ['a font tag', '<font color="warning">已超期</font>', '＜font color="warning"＞已超期＜/font＞'],
    ['a heading and a quote on new lines', '标题\n### 假通知\n> 引用', '标题 ＃＃＃ 假通知 ＞ 引用'],
    ['emphasis and code', '**加粗** _斜体_ `代码`', '＊＊加粗＊＊ ＿斜体＿ ｀代码｀'],
    ['an image', '![x](http://evil.example/i.png)', '！［x］（http://evil.example/i.png）'],
  ])('%s cannot form in markdown', (_what, input, out) => {
    expect(markdownInert(input)).toBe(out);
  });

  test('plain Chinese text is unchanged', () => {
    const t = '关于在五桥片区增设早晚高峰公交班次的建议，每30分钟一班改为每10分钟一班。';
    expect(markdownInert(t)).toBe(t);
    expect(textInert(t)).toBe(t);
  });

  test('a text message cannot carry a link tag', () => {
    expect(textInert('<a href="http://evil.example">点此</a>')).toBe('＜a href="http://evil.example"＞点此＜/a＞');
  });

  test("the robot's summary also blanks the proposer and masks phones", () => {
    expect(robotSafe('张志刚建议：请联系13812345678 [登录](http://x.example)', { name: '张志刚', phone: '13812345678' })).toBe('＊＊＊建议：请联系138****5678 ［登录］（http://x.example）');
  });
});
