/**
 * What the lead found playing citizens on the merged bot, as dialogue: a short full name is a name, English
 * and WeChat's bracketed emoji are welcomed, and a slogan typed as both title and proposal can be insisted
 * past (flagged for the office) instead of looping on "this looks like a title".
 */
import { describe, expect, test } from 'vitest';
import { good, startChat, walkTo } from '../helpers/conversation.js';

describe('first messages', () => {
  test.each([['Hello, I want to give a suggestion'], ['[微笑]'], ['[捂脸][捂脸]']])('"%s" gets the welcome and the theme menu', async (first) => {
    const chat = await startChat();
    await chat.say(first);
    expect(chat.last).toContain('请选择建议的主题');
    expect(chat.state).toBe('theme');
  });

  test('an English proposal starts a draft instead of being refused as spam', async () => {
    const chat = await startChat();
    await chat.say('I suggest adding English signs at Wanzhou North railway station, foreign visitors get lost easily');
    expect(chat.state).not.toBe('out_of_scope');
    expect(chat.last).not.toContain('无法受理');
  });
});

describe('identity', () => {
  test('a two-character name asked for one field at a time is taken at once', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('刘洋');
    expect(chat.last).not.toContain('真实姓名');
    await chat.say('18996512345');
    await chat.say('万州区某物流公司');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('刘洋');
  });
});

describe('a slogan the citizen insists on', () => {
  test('typed as title and proposal alike, it is coached as 大、空、虚 and can be insisted past, flagged', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('乡村振兴要抓好产业');
    if (chat.state === 'category') await chat.say('不确定');
    await chat.say('乡村振兴要抓好产业');
    await chat.say('完成');
    expect(chat.last).toContain('大、空、虚');
    expect(chat.options).toContain('坚持按现在的内容提交');
    await chat.say('坚持按现在的内容提交');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.qualityFlags).toEqual(['vague']);
  });
});
