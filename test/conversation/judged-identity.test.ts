/**
 * Issue 14, identity as citizens of the fourth play typed it (play4 02, 08, 12, 15, 21, 30): names said
 * again with a remark, units written as an occupation, an agent naming the villager, a form of address,
 * and 打 meaning "call" at the phone question.
 */
import { describe, expect, test } from 'vitest';
import { startChat, walkTo } from '../helpers/conversation.js';

describe('the proposer gives their details in their own words', () => {
  test('a name said again with a remark is taken (陈小军噻 我刚才说了的嘛)', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('陈小军噻 我刚才说了的嘛');
    expect(chat.last).toContain('联系电话');
    await chat.say('一三六 八三二一 五五六七');
    await chat.say('个体户');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：陈小军\n');
  });

  test('a villager working at home keeps her town and her occupation as the unit', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('孙家镇 谭小红 电话是一五九二三四五六七八九 在家务农');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：谭小红');
    expect(chat.last).toContain('联系电话：15923456789');
    expect(chat.last).toContain('工作单位：孙家镇 在家务农');
  });

  test('a tour guide is not asked her unit again (周丽 15826354789 万州区某旅行社导游)', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('周丽 15826354789 万州区某旅行社导游');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('工作单位：万州区某旅行社导游');
  });

  test('an agent naming the villager in a sentence gets the villager as the proposer', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('这个建议是村民提的 填他的名字吧 村民叫牟大兵 电话13908351234 龙沙镇某某村村民');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：牟大兵');
    expect(chat.last).toContain('联系电话：13908351234');
    expect(chat.last).toContain('工作单位：龙沙镇某某村村民');
  });

  test('王同学 is a form of address: refused with the reason, the real name is then taken', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('王同学 13012345678 三峡学院学生');
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('称呼');
    await chat.say('王浩然');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：王浩然');
    expect(chat.last).toContain('工作单位：三峡学院学生');
  });
});

describe('a name that is no name, sent with the phone, is refused with its reason at once', () => {
  test.each([
    ['老张 13888886661 个体户', '称呼'],
    ['匿名 13512345678 无', '不能匿名'],
    ['我姓王 电话13512340001 退休', '只有姓'],
  ])('%s → the reason (%s); the phone and unit are kept', async (typed, reason) => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say(typed);
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain(reason);
    await chat.say('王建平');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：王建平');
  });
});

describe('打 meaning "call" is not an emergency', () => {
  test('an old man giving his son’s number gets no 110/119/120', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('曾庆福');
    expect(chat.last).toContain('联系电话');
    await chat.say('没得手机 座机也没得 打我儿子的嘛 13098761234');
    expect(chat.last).not.toContain('110');
    expect(chat.last).toContain('工作单位');
    await chat.say('某某村村民');
    expect(chat.last).toContain('联系电话：13098761234');
  });

  test('“电话打我儿子那个” with the number is the phone as well', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('曾庆福');
    await chat.say('我是说电话打我儿子那个 13098761234');
    expect(chat.last).not.toContain('110');
    expect(chat.last).toContain('工作单位');
  });

  test('someone being beaten still gets the emergency numbers at the same step', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('曾庆福');
    await chat.say('有人在打我 快来人');
    expect(chat.last).toContain('110');
  });
});
