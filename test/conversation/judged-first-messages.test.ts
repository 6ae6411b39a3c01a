/**
 * Issue 14 (play4 16, 20, 21, 27, 30): a first message that says it is a suggestion starts one, without the
 * question 您是想提建议，还是反映个人诉求？; a plainly personal matter said with 建议 is still not taken.
 */
import { describe, expect, test } from 'vitest';
import { startChat } from '../helpers/conversation.js';

const SCOPE_QUESTION = '您是想提建议，还是反映个人诉求？';

describe('a first message that says it is a suggestion starts one', () => {
  test.each([
    ['我是长滩镇的 建议搞乡村旅游'],
    ['我们村里的垃圾没人收 到处乱丢 臭得很 想提个建议'],
    ['建意 农村的留守儿童 没人管 周末可以搞个四点半课堂'],
    ['我是龙沙镇的代理员 帮村民录一条建议'],
    ['我想提个建议 关于农村养老的 你先告诉我提了有没有用 政府会不会看'],
    ['我是甘宁镇的 想提个建议 我们那里的橙子卖不出去'],
  ])('%s → the theme menu, not the scope question', async (first) => {
    const chat = await startChat();
    await chat.say(first);
    expect(chat.last).not.toContain(SCOPE_QUESTION);
    expect(chat.state).toBe('theme');
    expect(chat.options).toContain('乡村振兴');
  });

  test('the matter written with the announcement is kept: it is shown back once the steps before it are done', async () => {
    const chat = await startChat();
    await chat.say('建意 农村的留守儿童 没人管 周末可以搞个四点半课堂');
    expect(chat.last).toContain('已收到您的建议内容');
  });

  test('an announcement with nothing written yet keeps nothing as content', async () => {
    const chat = await startChat();
    await chat.say('我是龙沙镇的代理员 帮村民录一条建议');
    expect(chat.last).not.toContain('已收到您的建议内容');
  });
});

describe('a personal matter said with 建议 is not taken as a suggestion', () => {
  test.each([
    ['我想提个建议 我家的低保被取消了 帮我恢复一下'],
    ['提个意见 楼下的烧烤店天天吵到半夜 你们管一下'],
  ])('%s → no draft', async (first) => {
    const chat = await startChat();
    await chat.say(first);
    expect(chat.state).not.toBe('theme');
    expect(chat.last).not.toContain('已收到您的建议内容');
  });
});
