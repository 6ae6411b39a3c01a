import { describe, expect, test } from 'vitest';
import { defaultJudgement, type Judgement } from '../../src/conversation/index.js';
import { good, startChat, walkTo } from '../helpers/conversation.js';

describe('messages that are not suggestions are referred elsewhere, politely', () => {
  test('a wage-arrears complaint as the first message gets the 12333 referral, and only it', async () => {
    const chat = await startChat();
    await chat.say('我们公司拖欠工资三个月了，老板跑路了，怎么办');
    expect(chat.state).toBe('out_of_scope');
    expect(chat.last).toContain('12333');
    expect(chat.last).not.toContain('12369');
    // …and is told how to start a suggestion instead.
    expect(chat.last).toContain('我想提建议');
  });

  test.each([
    ['a noise complaint', '我家楼下饭店天天噪音扰民，你们管不管', '12345'],
    ['a personal petition', '建议给我家评个贫困户，我家确实困难', '信访'],
    ['a pension matter (social insurance: 12333)', '我的养老金为什么还没发，请帮我查一下', '12333'],
    ['pollution (12369)', '那个化工厂天天排黑烟，我们村的人都闻得到臭味', '12369'],
    ['a consumer dispute (12315)', '我在超市买的猪肉是坏的，超市不承认', '12315'],
    ['an emergency (one line, the emergency numbers)', '路塌了，快派人！有个车子差点掉下去', '110'],
    ['a consultation', '请问公积金怎么提取', '渝快办'],
    ['a tip-off', '我要举报某某干部收受红包', '12388'],
    ['chit-chat', '今天天气不错', '只能帮您提交建议'],
    ['spam', '加微信领红包 www.xx.com', '无法受理'],
  ])('%s', async (_name, text, referral) => {
    const chat = await startChat();
    await chat.say(text);
    expect(chat.state).toBe('out_of_scope');
    expect(chat.last).toContain(referral);
  });

  test('an advertisement gets one short reply that does not engage', async () => {
    const chat = await startChat();
    await chat.say('烤鱼第二份半价，欢迎到店品尝');
    expect(chat.last).toBe('这条消息与人民建议征集无关，无法受理。');
    expect(chat.options).toEqual([]);
  });

  test('after a refusal the next message is judged afresh', async () => {
    const chat = await startChat();
    await chat.say('今天天气不错');
    await chat.say('我想提建议');
    expect(chat.state).toBe('theme');
  });

  test('a proposal that turns out to be a personal request is referred, and the draft is kept', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我的低保被取消了，我觉得不公平，建议民政局重新审核我家的情况，恢复我家每月600元的低保。');
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('信访');
    expect(chat.last).not.toContain('12333');
    // Pressing 提建议 judges the draft again: still a personal request, still referred, never stored.
    await chat.say('提建议');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('信访');
    expect(chat.last).toContain('草稿仍保留');
    expect(chat.world.suggestions.stored).toHaveLength(0);
  });

  test('a personal request is referred as it is, not coached into a suggestion, and insisting does not get it through', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我的养老金为什么还没发，已经三个月了，社保局说系统升级，请帮我查一下到底什么时候能发到我的卡上。');
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('12333');
    await chat.say('坚持按现在的内容提交');
    expect(chat.state).toBe('proposal');
    expect(chat.world.suggestions.stored).toHaveLength(0);
  });

});

describe('a genuine suggestion sent as the very first message is kept', () => {
  test('it becomes the draft proposal and the bot asks for what is missing', async () => {
    const chat = await startChat();
    const text = `${good.proposal[0]}${good.proposal[1]}`;
    await chat.say(text);
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('已收到您的建议内容');
    await chat.say('1');
    await chat.say(good.title);
    await chat.say('解决问题');
    // The kept text is quoted back; the citizen may add to it, and 完成 moves on.
    expect(chat.last).toContain('您前面发来的内容已记为建议内容');
    expect(chat.state).toBe('proposal');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposal).toBe(text);
  });

  test('a short one is kept too, and coached at the proposal step', async () => {
    const chat = await startChat();
    await chat.say('建议在江南新区建一个图书馆');
    expect(chat.state).toBe('theme');
    await chat.say('1');
    await chat.say(good.title);
    await chat.say('解决问题');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('您前面发来的内容已记为建议内容');
    expect(chat.last).toContain('只有一句话');
    await chat.say('江南新区常住人口已超过20万，但最近的区图书馆在江北，往返要1小时。建议利用新区市民中心二楼空置的800平方米场地，设立区图书馆江南分馆，开设自习室和少儿阅览区。');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
  });
});

describe('the whole suggestion sent ahead of its step is kept, not refused', () => {
  const whole = `${good.proposal[0]}${good.proposal[1]}`;

  test('at the theme step it is kept for later and the theme asked again briefly', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say(whole);
    expect(chat.state).toBe('theme');
    expect(chat.last).toBe('已先记下这段话，稍后作为建议内容使用。请回复上面选项的编号或名称。');
    expect(chat.options).toContain('乡村振兴');
    await chat.say('1');
    await chat.say(good.title);
    await chat.say('解决问题');
    expect(chat.last).toContain('您前面发来的内容已记为建议内容');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
  });

  test('pasted into the title step it is kept, and a short title is asked for', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say(whole);
    expect(chat.state).toBe('title');
    expect(chat.last).toBe('已先记下这段话，稍后作为建议内容使用。这一步请发送简短的标题（不超过60字）。');
    await chat.say(good.title);
    await chat.say('解决问题');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposal).toBe(whole);
  });

  test('a short sentence at the theme step is only re-asked, and a long title that is no suggestion gets the limit', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say('我觉得农村路灯太少');
    expect(chat.last).toBe('请回复上面选项的编号或名称。');
    await chat.say('1');
    await chat.say('关于'.repeat(40));
    expect(chat.last).toContain('标题最多60个字');
  });
});

describe('when the scope is unclear the bot asks instead of guessing', () => {
  // The judgement is real except for this one message, which it is made to find ambiguous.
  const ambiguous = '我想说说低保的问题';
  const ambiguousProposal = '我家隔壁邻居在楼道堆放杂物，我建议社区马上派人来把他家门口的杂物清走，并对他罚款500元。';
  const judge: Judgement = {
    ...defaultJudgement,
    judgeScope: (t) => (t === ambiguous || t === ambiguousProposal ? { kind: 'unsure', candidates: ['petition', 'consultation'], confidence: 0.4 } : defaultJudgement.judgeScope(t)),
  };

  test('您是想提建议，还是反映个人诉求？ — 提建议 keeps the message as the draft', async () => {
    const chat = await startChat({ judge });
    await chat.say(ambiguous);
    expect(chat.last).toBe('您是想提建议，还是反映个人诉求？');
    expect(chat.options).toEqual(['提建议', '反映个人诉求']);
    expect(chat.state).toBe('intake');
    await chat.say('1');
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('已收到您的建议内容');
  });

  test('反映个人诉求 gets the petition referral', async () => {
    const chat = await startChat({ judge });
    await chat.say(ambiguous);
    await chat.say('反映个人诉求');
    expect(chat.state).toBe('out_of_scope');
    expect(chat.last).toContain('信访');
  });

  test('answering 我想提建议 keeps the message as the draft too', async () => {
    const chat = await startChat({ judge });
    await chat.say(ambiguous);
    await chat.say('我想提建议');
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('已收到您的建议内容');
  });

  test('a new message instead of an answer is judged as a first message', async () => {
    const chat = await startChat({ judge });
    await chat.say(ambiguous);
    await chat.say('请问公积金怎么提取');
    expect(chat.state).toBe('out_of_scope');
    expect(chat.last).toContain('渝快办');
  });

  test('an unclear proposal is asked about; 提建议 goes on', async () => {
    const chat = await startChat({ judge });
    await walkTo(chat, 'proposal');
    await chat.say(ambiguousProposal);
    await chat.say('完成');
    expect(chat.last).toBe('您是想提建议，还是反映个人诉求？');
    expect(chat.state).toBe('proposal');
    await chat.say('提建议');
    expect(chat.state).toBe('feasibility');
  });

  test('an unclear proposal is asked about; 反映个人诉求 is referred', async () => {
    const chat = await startChat({ judge });
    await walkTo(chat, 'proposal');
    await chat.say(ambiguousProposal);
    await chat.say('完成');
    expect(chat.last).toBe('您是想提建议，还是反映个人诉求？');
    expect(chat.state).toBe('proposal');
    await chat.say('2');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('信访');
    expect(chat.last).toContain('草稿仍保留');
  });
});
