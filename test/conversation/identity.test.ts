import { describe, expect, test } from 'vitest';
import { startChat, walkTo } from '../helpers/conversation.js';

describe('the proposer gives name, phone and work unit', () => {
  test.each([
    ['+86 138 1234 5678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['023-58123456', '023-58123456'],
    ['02358123456', '023-58123456'],
    ['(023) 5812 3456', '023-58123456'],
  ])('a phone written as %s is stored as %s', async (written, stored) => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('张志刚');
    expect(chat.last).toContain('联系电话');
    await chat.say(written);
    await chat.say('万州区某某公司');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain(`联系电话：${stored}`);
  });

  test.each([
    ['1381234567', '位数不对'],
    ['12345678901', '不是有效的'],
    ['138abc', '无法识别的字符'],
  ])('an impossible phone %s is refused with the reason', async (written, reason) => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('张志刚');
    await chat.say(written);
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain(reason);
    await chat.say('13812345678');
    expect(chat.last).toContain('工作单位');
  });

  test('missing details are asked for one by one', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('李四 023-58123456');
    expect(chat.state).toBe('identity');
    expect(chat.last).toBe('请问您的工作单位是？（没有单位可填写“无”或所在村/社区）');
    await chat.say('万州二中');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：李四');
    expect(chat.last).toContain('工作单位：万州二中');
  });

  test('details given in a sentence are understood', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('我叫王五，在万州区教委上班，电话13900001111');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('联系电话：13900001111');
  });

  test('a name too long is refused with the limit', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('张'.repeat(31));
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('30');
  });

  test('a command word is never taken as a detail', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('张志刚');
    await chat.say('完成');
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('联系电话');
  });
});
