/**
 * Issue 14 (play4 34, 40): a question after one's own earlier suggestion, in plain words, is told how to
 * follow it up; it is never sent to the petition channels.
 */
import { describe, expect, test } from 'vitest';
import { startChat } from '../helpers/conversation.js';

describe('a citizen asks what became of a suggestion made earlier', () => {
  test('去年提的那个建议 … 没人给我打电话 → how to query, and whom to call about one made elsewhere', async () => {
    const chat = await startChat();
    await chat.say('我想问一下 我去年提的那个建议 说是转给交通局了 到现在都没人给我打电话');
    expect(chat.last).toContain('查询');
    expect(chat.last).toContain('17723966166');
    expect(chat.last).not.toContain('信访渠道');
    expect(chat.state).not.toBe('theme');
  });

  test('前段时间反映的那个意见 有没有人管哦 → the same answer, not a petition referral', async () => {
    const chat = await startChat();
    await chat.say('我前段时间反映的那个意见 有没有人管哦');
    expect(chat.last).toContain('查询');
    expect(chat.last).not.toContain('信访渠道');
  });
});
