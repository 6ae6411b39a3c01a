import { describe, expect, test } from 'vitest';
import { good, startChat, walkTo } from '../helpers/conversation.js';

describe('global commands work at any step', () => {
  test('帮助 explains the commands, names the current step and a person to contact, and keeps the step', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('帮助');
    expect(chat.state).toBe('title');
    expect(chat.last).toContain('您正在填写：标题');
    expect(chat.last).toContain('返回');
    expect(chat.last).toContain('17723966166');
    await chat.say(good.title);
    expect(chat.state).toBe('category');
  });

  test('帮助 before anything started says how to begin', async () => {
    const chat = await startChat();
    await chat.say('帮助');
    expect(chat.last).toContain('我想提建议');
    expect(chat.state).toBe('intake');
  });

  test('返回 goes to the previous step and keeps the answers', async () => {
    const chat = await startChat();
    await walkTo(chat, 'category');
    await chat.say('返回');
    expect(chat.state).toBe('title');
    await chat.say('关于在五桥中学门口增设红绿灯的建议');
    await chat.say('返回');
    await chat.say('返回');
    expect(chat.state).toBe('theme');
    await chat.say('返回');
    expect(chat.last).toContain('已经是第一步');
    expect(chat.state).toBe('theme');
  });

  test('返回 in the middle of the proposal keeps what was written for when the citizen comes back', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    for (const p of good.proposal) await chat.say(p);
    await chat.say('返回');
    expect(chat.state).toBe('category');
    await chat.say('改进工作');
    // Back at the proposal: what was written is shown and kept, not checked or sent on by itself.
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('已保留');
    expect(chat.last).toContain(good.proposal[0]!.slice(0, 10));
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposal).toBe(good.proposal.join('\n'));
  });

  test('返回 is never stored as an answer, not even in a multi-message step', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('上一步');
    expect(chat.state).toBe('category');
    await chat.say('解决问题');
    for (const p of good.proposal) await chat.say(p);
    await chat.say('帮助');
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    const proposal = chat.world.suggestions.stored[0]?.proposal ?? '';
    expect(proposal).not.toMatch(/上一步|帮助|完成/);
  });

  test('a control word where it means nothing is not stored either', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('完成');
    expect(chat.state).toBe('title');
    // A short re-ask, not the whole question again.
    expect(chat.last).toBe('这一步不需要回复这个词，请直接发送标题。');
  });

  test('a control word before anything was collected says what to send, not "已记录（共0字）"', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('确认');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toBe('这一步不需要回复这个词。请发送建议内容，发完后回复“完成”。');
    await chat.say(good.proposal[0]);
    await chat.say('确认');
    expect(chat.last).toContain(`已记录（共${good.proposal[0].length}字）`);
  });

  test('an emoji-only message is never stored as an answer; the bot asks for words, briefly', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('👍');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toBe('我只能看懂文字，请用文字回复。\n请发送建议内容，发完后回复“完成”。');
    for (const p of good.proposal) await chat.say(p);
    await chat.say('😀😀');
    expect(chat.last).toContain('已记录');
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say('🙏');
    expect(chat.last).toBe('我只能看懂文字，请用文字回复。\n请问您的姓名是？');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposal).toBe(good.proposal.join('\n'));
  });

  test('取消 asks once, then deletes the draft', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('取消');
    expect(chat.last).toContain('确定要取消吗');
    expect(chat.options).toEqual(['确定取消', '继续填写', '先保存，下次再填']);
    await chat.say('继续填写');
    expect(chat.state).toBe('proposal');
    await chat.say('取消');
    await chat.say('确定取消');
    expect(chat.state).toBe('cancelled');
    await chat.say('继续');
    expect(chat.last).toContain('没有未完成的草稿');
  });

  test('any cancel word (退出) answers 确定要取消吗 as yes, not as the step\'s answer', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('取消');
    await chat.say('退出');
    expect(chat.state).toBe('cancelled');
  });

  test('取消 at the review, chosen from the options', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('3');
    expect(chat.last).toContain('确定要取消吗');
    await chat.say('1');
    expect(chat.state).toBe('cancelled');
    expect(chat.world.suggestions.stored).toHaveLength(0);
  });

  test('重新开始 clears the draft and starts again at the first step', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('重新开始');
    // A draft with content is never cleared without asking.
    expect(chat.state).toBe('feasibility');
    expect(chat.last).toContain('确定要重新开始吗');
    await chat.say('确定重新开始');
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('从头开始');
    await chat.say('1');
    await chat.say('关于新标题的建议内容');
    await chat.say('1');
    await chat.say('返回');
    await chat.say('返回');
    expect(chat.state).toBe('title');
  });

  test('继续 asks the current question again', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('继续');
    expect(chat.state).toBe('feasibility');
    expect(chat.last).toContain('可行性');
  });
});

describe('the citizen can review and change any answer before submitting', () => {
  test('修改 标题 from the review changes the title and comes back to the review', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('修改 标题');
    expect(chat.state).toBe('title');
    await chat.say('关于五桥片区公交加密班次的建议');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('标题：关于五桥片区公交加密班次的建议');
    expect(chat.last).toContain('联系电话：13812345678');
  });

  test('修改 with no field offers the fields; one is picked by number', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('修改');
    expect(chat.last).toContain('要修改哪一项');
    expect(chat.options).toEqual(['主题', '标题', '类别', '建议内容', '可行性', '姓名', '联系电话', '工作单位']);
    await chat.say('8');
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('工作单位');
    await chat.say('万州区教委');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('工作单位：万州区教委');
    expect(chat.last).toContain('姓名：张志刚');
  });

  test('修改电话 (no space) and a synonym work', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('修改手机号');
    expect(chat.last).toContain('联系电话');
    await chat.say('023 5812 3456');
    expect(chat.last).toContain('联系电话：023-58123456');
  });

  test('修改 建议内容 collects a new proposal, checked again', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('修改 内容');
    expect(chat.state).toBe('proposal');
    await chat.say('关于增设公交线路的建议');
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    await chat.say('重写');
    await chat.say('五桥片区公交太少，早晚高峰学生挤不上车。建议7:00-9:00把班次加密到每10分钟一班。');
    await chat.say('完成');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('建议内容：五桥片区公交太少');
  });

  test('修改 of something that does not exist says so and offers the fields', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('修改 邮箱');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('没有找到“邮箱”');
    expect(chat.options).toContain('标题');
  });

  test('返回 while changing a phone number from the review keeps the old number and goes back to the review', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say(good.identity);
    await chat.say('修改 电话');
    await chat.say('12345');
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('位数不对');
    await chat.say('返回');
    // Before: the edited step was pushed again onto the history, so 返回 went to the theme step.
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('保留原来的内容');
    expect(chat.last).toContain('联系电话：13812345678');
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposer.phone).toBe('13812345678');
  });

  test('after changing the theme from the review, 返回 at the review goes to the step before it', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say(good.identity);
    await chat.say('修改 主题');
    await chat.say('2');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('主题：成渝地区双城经济圈建设');
    await chat.say('返回');
    expect(chat.state).toBe('identity');
  });

  test('an unclear answer at the review is re-asked briefly', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('嗯嗯');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toBe('请回复“确认”提交，“修改 某项”修改，或“取消”。');
  });
});

describe('查询 shows a citizen only their own suggestions', () => {
  async function submitOne(chat: Awaited<ReturnType<typeof startChat>>): Promise<string> {
    await walkTo(chat, 'confirm');
    const turn = await chat.say('确认');
    return turn.reference!;
  }

  test('查询 <reference> of one\'s own suggestion shows its progress', async () => {
    const chat = await startChat();
    const ref = await submitOne(chat);
    await chat.say(`查询 ${ref}`);
    expect(chat.last).toContain(ref);
    expect(chat.last).toContain(good.title);
    expect(chat.last).toContain('已提交，待交办');
  });

  test('查询 of someone else\'s reference finds nothing', async () => {
    const alice = await startChat({ user: 'alice' });
    const ref = await submitOne(alice);
    const bob = alice.as('bob');
    await bob.say(`查询${ref.toLowerCase()}`);
    expect(bob.last).toContain(`没有找到编号为 ${ref} 的建议`);
    expect(bob.last).not.toContain(good.title);
  });

  test('查询 alone lists one\'s suggestions; mid-draft the draft is kept', async () => {
    const chat = await startChat();
    const ref = await submitOne(chat);
    await walkTo(chat, 'proposal');
    await chat.say('查询');
    expect(chat.last).toContain(ref);
    expect(chat.last).toContain('草稿仍保留');
    expect(chat.state).toBe('proposal');
  });

  test('查询 before ever submitting', async () => {
    const chat = await startChat();
    await chat.say('查询');
    expect(chat.last).toContain('还没有提交过建议');
  });
});

describe('command words inside an answer are part of the answer', () => {
  test('a title beginning with 修改 is a title', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('修改公交站牌');
    expect(chat.state).toBe('category');
  });
});

describe('修改 before the review', () => {
  test('offers only the answers already given, and comes back to where the citizen was', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('修改');
    expect(chat.options).toEqual(['主题', '标题', '类别']);
    await chat.say('标题');
    expect(chat.state).toBe('title');
    await chat.say('关于五桥片区公交加密班次的建议');
    expect(chat.state).toBe('proposal');
  });
});
