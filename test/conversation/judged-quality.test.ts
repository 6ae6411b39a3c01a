/**
 * Issue 14 (play4 10, 21, 27, 28, 29): two matters in one text are caught (一事一议) and offered as the
 * citizen wrote them; one-liners and problems without a measure are coached, however they are announced.
 */
import { describe, expect, test } from 'vitest';
import { startChat, walkTo } from '../helpers/conversation.js';

describe('two matters in one text', () => {
  test('建议 两个事 一个是…一个是… as a first message: the two matters are offered as written', async () => {
    const chat = await startChat();
    await chat.say('建议 两个事 一个是万达那边停车难 一个是公交车太少');
    expect(chat.last).toContain('一事一议');
    expect(chat.options.slice(0, 2)).toEqual(['万达那边停车难', '公交车太少']);
  });

  test('a proposal with a bus problem and a park toilet problem, each with its 建议, is coached as two matters', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('早上七点到九点 公交车挤不上 建议加开班次 公园厕所太少 建议每个公园至少两个');
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('一事一议');
    expect(chat.options.slice(0, 2)).toEqual(['早上七点到九点 公交车挤不上 建议加开班次', '公园厕所太少 建议每个公园至少两个']);
  });
});

describe('one-liners and problems without a measure are coached', () => {
  test.each([
    ['建意 农村的留守儿童 没人管 周末可以搞个四点半课堂', '一句话'],
    ['建议 建议 建议 万州到重庆的动车票太难买了 能不能多开几趟', '一句话'],
  ])('%s at the proposal step → coached (%s)', async (text, coaching) => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(text);
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain(coaching);
  });

  test('a problem announced with 想提个建议 is asked for the measure', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我们村里的垃圾没人收 到处乱丢 臭得很 想提个建议');
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    expect(chat.last).not.toContain('请简要说明建议的可行性');
  });
});
