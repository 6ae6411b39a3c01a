import { describe, expect, test } from 'vitest';
import { good } from '../helpers/conversation.js';
import { record, startAgentChat } from './agent-chat.js';

const mixed = record([
  ['李四', '王大爷，您上次说村里的事，再跟我讲讲？'],
  ['王五', '我们村的柑橘每年烂在地里，收购商压价，路也不好走，运不出去。'],
  ['李四', '那您觉得怎么解决好？'],
  ['王五', '建议镇上牵头建一个冷链仓储点，再和电商平台合作搞直播带货，把村道硬化到果园。'],
  ['李四', '好的，您的电话是多少？'],
  ['王五', '13912345678，我在龙驹镇柑橘合作社。'],
  ['李四', '[image]'],
]);

describe('an agent enters a citizen suggestion from a forwarded chat record', () => {
  test("the citizen's lines (not the agent's) become the proposal; details offered; consent stored with enteredBy", async () => {
    const chat = await startAgentChat();

    await chat.say('', { forwarded: mixed });
    expect(chat.last).toContain('已收到转发的聊天记录：6条文字消息，发言人：李四、王五');
    expect(chat.last).toContain('另有1条图片');
    // The agent is recognised by name, so the only other speaker is the citizen: no question.
    expect(chat.last).toContain('已采用“王五”的2条发言作为建议内容，您（李四）的发言未计入');
    expect(chat.last).toContain('记录中找到建议人信息：姓名 王五，电话 13912345678');
    expect(chat.last).toContain('根据记录内容，建议主题可能是“乡村振兴”，如无误请回复1');
    expect(chat.state).toBe('theme');

    await chat.say('1');
    expect(chat.state).toBe('title');
    await chat.say('关于建设柑橘冷链仓储点和硬化果园村道的建议');
    await chat.say('3');
    // The proposal was pre-filled with the citizen's words and passed the checks on arrival.
    expect(chat.last).toContain('已采用');
    expect(chat.state).toBe('feasibility');
    await chat.say('镇上有闲置的供销社仓库可改造为冷链仓储点，电商平台已有合作意向，村道硬化可申请乡村振兴项目资金。');
    await chat.say('完成');
    // Name and phone came from the record; the unit was found too, so identity is complete.
    expect(chat.state).toBe('consent');
    expect(chat.last).toContain('建议人“王五”已同意委托您代为录入');

    await chat.say('不同意');
    expect(chat.state).toBe('consent');
    expect(chat.last).toContain('代理录入需要建议人本人同意委托');

    chat.clock.advance?.(60_000);
    await chat.say('1');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('建议人：王五（由 区农业农村委 李四 代理录入）');
    expect(chat.last).toContain('建议内容：我们村的柑橘每年烂在地里');
    expect(chat.last).not.toContain('再跟我讲讲');
    expect(chat.last).toContain('委托确认：已征得建议人同意');

    await chat.say('确认');
    expect(chat.state).toBe('submitted');
    const stored = chat.suggestions.stored[0]!;
    expect(stored.proposer).toEqual({ name: '王五', phone: '13912345678', unit: expect.stringContaining('柑橘合作社') });
    expect(stored.proposal).toBe(
      // The contact-only line went to the proposer's details, not into the proposal.
      '我们村的柑橘每年烂在地里，收购商压价，路也不好走，运不出去。\n建议镇上牵头建一个冷链仓储点，再和电商平台合作搞直播带货，把村道硬化到果园。',
    );
    expect(stored.enteredBy).toEqual({ agent: 'lisi', unit: 'nyncw', consentAt: expect.any(Date) });
    expect(stored.campaign).toBe('wz2021');
    expect(stored.theme).toBe('rural_revitalization');
    // Follow-ups go to the agent, who passes them on.
    expect(stored.citizen).toEqual({ channel: 'dev', id: 'lisi' });
  });

  test("the work unit comes from where the citizen says they live, not from a piece of the proposal; 是 states the consent", async () => {
    const chat = await startAgentChat();
    await chat.say('', {
      forwarded: record([
        ['李四', '张师傅，您说说您的想法？'],
        ['张大山', '我叫张大山，是龙驹镇玉合村的村民，电话13912345678。'],
        ['张大山', '建议各镇农贸市场划出农产品直销区，让农户自产的蔬菜水果可以直接摆卖，不收摊位费，方便群众买到新鲜菜。'],
      ]),
    });
    expect(chat.last).toContain('记录中找到建议人信息：姓名 张大山，电话 13912345678，单位 龙驹镇玉合村');
    await chat.say('1');
    await chat.say('关于在农贸市场设立农产品直销区的建议');
    await chat.say('3');
    await chat.say('各镇农贸市场多有闲置摊位，划出一片作为直销区即可，无需新建，管理可由市场方负责。');
    await chat.say('完成');
    expect(chat.state).toBe('consent');
    await chat.say('是');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('委托确认：已征得建议人同意');
    await chat.say('确认');
    expect(chat.suggestions.stored[0]!.proposer).toEqual({ name: '张大山', phone: '13912345678', unit: '龙驹镇玉合村' });
  });

  test.each(['同意', '好的', '对'])('%s at the consent step states the consent too', async (word) => {
    const chat = await startAgentChat();
    await chat.say('', { forwarded: mixed });
    await chat.say('1');
    await chat.say('关于建设柑橘冷链仓储点和硬化果园村道的建议');
    await chat.say('3');
    await chat.say('镇上有闲置的供销社仓库可改造为冷链仓储点，电商平台已有合作意向，村道硬化可申请乡村振兴项目资金。');
    await chat.say('完成');
    expect(chat.state).toBe('consent');
    await chat.say(word);
    expect(chat.state).toBe('confirm');
  });

  test('when the agent cannot be told apart, the bot asks which speaker is the citizen', async () => {
    const chat = await startAgentChat();
    await chat.say('', {
      forwarded: record([
        ['镇政府小李', '您好，有什么建议？'],
        ['老王', '建议在五桥中学门口增设人行天桥，现在学生过马路要穿过四车道，上下学高峰非常危险。'],
      ]),
    });
    expect(chat.state).toBe('speaker');
    expect(chat.last).toContain('没有在记录中认出您本人的发言');
    expect(chat.options).toEqual(['镇政府小李', '老王']);

    await chat.say('2');
    expect(chat.state).toBe('theme');
    // 老王 is not a full name, so the name is asked for later.
    await chat.say('日常建议');
    await chat.say('关于在五桥中学门口增设人行天桥的建议');
    await chat.say('3');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('请提供建议人的真实姓名、联系电话和工作单位');
    await chat.say('王建国，13812345678，五桥街道居民');
    expect(chat.state).toBe('consent');
  });

  test('代录 with the pasted words: the words are coached like a citizen’s', async () => {
    const chat = await startAgentChat();
    await chat.say('代录：路灯坏了');
    expect(chat.last).toContain('已收到您代录的群众原话');
    await chat.say('日常建议');
    await chat.say('关于修复沙龙路路灯的建议');
    await chat.say('3');
    // Too short to be handled: the agent is coached to add the details.
    expect(chat.state).toBe('proposal');
  });

  test('a chat pasted after 代录 (sender：words per line) is read like a forwarded record', async () => {
    const chat = await startAgentChat();
    await chat.say('代录\n李四：王大爷，您说说？\n王五：建议在龙驹镇场镇增设一个公共停车场，利用农贸市场背后的闲置空地，缓解赶场天道路拥堵。\n李四：好，我帮您录入。');
    expect(chat.last).toContain('已采用“王五”的1条发言作为建议内容，您（李四）的发言未计入');
    expect(chat.state).toBe('theme');
  });

  test('代录 answered to the greeting starts a proxy draft (it was refused as not 1 or 2)', async () => {
    const chat = await startAgentChat();
    await chat.say('你好');
    expect(chat.state).toBe('mode');
    await chat.say('代录');
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('群众的原话在“建议内容”一步粘贴');
    // The citizen's words pasted early anyway are kept for the proposal step.
    const words = '建议镇上牵头建一个冷链仓储点，再和电商平台合作搞直播带货，把村道硬化到果园，让柑橘运得出去。';
    await chat.say(words);
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('已先记下这段话，稍后作为建议内容使用');
    await chat.say('1');
    await chat.say('关于建设柑橘冷链仓储点的建议');
    await chat.say('3');
    expect(chat.last).toContain('您前面发来的内容已记为建议内容');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
  });

  test('a record forwarded after the greeting starts the seeded draft', async () => {
    const chat = await startAgentChat();
    await chat.say('你好');
    await chat.say('', { forwarded: mixed });
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('已采用“王五”的2条发言作为建议内容');
  });

  test('an agent can make a suggestion of their own: they are the proposer, no consent, no enteredBy', async () => {
    const chat = await startAgentChat();
    await chat.say('你好');
    expect(chat.last).toContain('李四您好！您是信访代理员');
    expect(chat.options).toEqual(['代群众录入', '提我自己的建议']);
    await chat.say('2');
    expect(chat.state).toBe('theme');
    await chat.say('日常建议');
    await chat.say(good.title);
    await chat.say('3');
    await chat.say(good.proposal[0]);
    await chat.say(good.proposal[1]);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    // Name and unit come from the directory; only the phone is asked.
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('联系电话');
    await chat.say('13800001111');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('建议人：李四（本人提交）');
    await chat.say('确认');
    const stored = chat.suggestions.stored[0]!;
    expect(stored.proposer).toEqual({ name: '李四', phone: '13800001111', unit: '区农业农村委' });
    expect(stored.enteredBy).toBeUndefined();
  });

  test('someone not in the directory who forwards a record is a citizen', async () => {
    const chat = await startAgentChat({ user: 'stranger' });
    await chat.say('我想提建议', { forwarded: mixed });
    expect(chat.state).toBe('theme');
    expect(chat.last).not.toContain('聊天记录');
  });

  test('a dev chat user listed as an agent who says role citizen gets the citizen flow', async () => {
    const chat = await startAgentChat({ role: 'citizen' });
    await chat.say('我想提建议');
    expect(chat.last).not.toContain('信访代理员');
    expect(chat.options).toEqual(['乡村振兴', '成渝地区双城经济圈建设', '日常建议']);
  });
});
