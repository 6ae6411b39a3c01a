/**
 * Citizens who ask, hesitate, correct themselves or wander: every example of issue 14, as dialogue.
 * Whatever they type, the stored suggestion holds only their answers, cleaned of filler.
 */
import { describe, expect, test } from 'vitest';
import { good, startChat, walkTo, type Chat } from '../helpers/conversation.js';

/** From the title step to the identity step with good answers. */
async function walkOn(chat: Chat) {
  await chat.say(good.title);
  await chat.say('3');
  await chat.say(good.proposal.join(''));
  await chat.say('完成');
  await chat.say(good.feasibility);
  await chat.say('完成');
}

/** Finishes a draft from the identity step and returns what was stored. */
async function submitFrom(chat: Chat, identity: string = good.identity) {
  if (chat.state === 'identity') await chat.say(identity);
  expect(chat.state).toBe('confirm');
  await chat.say('确认');
  expect(chat.state).toBe('submitted');
  return chat.world.suggestions.stored.at(-1)!;
}

describe('what is typed at the proposal step but is not the proposal is never stored', () => {
  test('questions, greetings, 说完了 and a stray "1" around the proposal', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('要写多少字？');
    expect(chat.last).toContain('不限字数');
    expect(chat.last).not.toContain('已记录');
    await chat.say('你好');
    expect(chat.last).not.toContain('已记录');
    await chat.say(good.proposal[0]);
    expect(chat.last).toContain('已记录');
    await chat.say('这样写可以不？');
    expect(chat.last).toContain('现状或问题');
    await chat.say('1');
    await chat.say(good.proposal[1]);
    await chat.say('说完了');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.proposal).toBe(good.proposal.join('\n'));
  });

  test('a question about rewards is answered from the notice and never reused as content', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('提交了有没有奖金哦？');
    expect(chat.last).toContain('最高奖励5万元');
    await chat.say('返回');
    await chat.say('3');
    expect(chat.state).toBe('proposal');
    expect(chat.last).not.toContain('奖金');
    expect(chat.last).not.toContain('已采用');
  });

  test('"那我先提动车那个，夜市的等哈再提" after the 一事一议 question keeps the 动车 matter alone', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('一是建议增加万州到成都的动车班次，周五晚上和周日下午加开两趟；二是建议把高笋塘的夜市搬到江边统一管理，晚上十一点收摊。');
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('两件事');
    await chat.say('那我先提动车那个，夜市的等哈再提');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    expect((await submitFrom(chat)).proposal).toBe('建议增加万州到成都的动车班次，周五晚上和周日下午加开两趟');
  });

  test('filler said before the proposal is not kept with it', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('那我提个建议嘛，我们村到镇上的公路坑坑洼洼，下雨天摩托车都骑不了，建议区交通局把这三公里硬化，两边加装护栏。');
    await chat.say('说完了');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.proposal).toBe('我们村到镇上的公路坑坑洼洼，下雨天摩托车都骑不了，建议区交通局把这三公里硬化，两边加装护栏。');
  });

  test('a voice-to-text run-on without punctuation is taken whole', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    const runOn = '嗯那个就是说我们小区门口那个路口啊没得红绿灯每天早上娃娃上学好危险建议在路口装个红绿灯上下学的时候再派个协警来疏导一下';
    await chat.say(runOn);
    // All of it but the opening filler (嗯那个就是说).
    expect(chat.last).toContain(`已记录（共${runOn.length - 6}字）`);
  });
});

describe('titles and names are answers, not asides', () => {
  test('"我上面不是已经写了噻" and "等哈，我先去问下村主任" are not titles', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('我上面不是已经写了噻');
    expect(chat.state).toBe('title');
    await chat.say('等哈，我先去问下村主任');
    expect(chat.state).toBe('title');
    expect(chat.last).toContain('标题');
    await chat.say('标题就叫柑橘销售问题嘛');
    expect(chat.state).toBe('category');
    await chat.say('3');
    await chat.say(good.proposal.join(''));
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.title).toBe('柑橘销售问题');
  });

  test.each([
    ['跟上次一样', '看不到您以前填过'],
    ['我姓王', '全名'],
    ['匿名', '不能匿名'],
    ['何总', '称呼'],
    ['冯医生', '称呼'],
    ['老张', '称呼'],
  ])('"%s" is not taken as a name, and the citizen is told why', async (typed, why) => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say(typed);
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain(why);
    await chat.say('王建国');
    expect(chat.last).toContain('联系电话');
  });

  test('"可以不写真名不" is a question, answered, and the name is still asked for', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('可以不写真名不');
    expect(chat.last).toContain('不能匿名');
    expect(chat.last).toContain('姓名');
    await chat.say('我叫王建国');
    await chat.say('13812345678');
    await chat.say('退休');
    const stored = await submitFrom(chat);
    expect(stored.proposer).toEqual({ name: '王建国', phone: '13812345678', unit: '退休' });
  });

  test('an English name is kept whole', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('John Smith');
    await chat.say('13812345678');
    await chat.say('Three Gorges University');
    const stored = await submitFrom(chat);
    expect(stored.proposer.name).toBe('John Smith');
    expect(stored.proposer.unit).toBe('Three Gorges University');
  });
});

describe('navigation never loses what was typed', () => {
  test('返回 from the feasibility shows the proposal and keeps it', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('返回');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('五桥片区到江南新区');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.proposal).toBe(good.proposal.join('\n'));
  });

  test('"修改 标题" typed during the feasibility changes the title and keeps the feasibility written so far', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say(good.feasibility);
    await chat.say('修改 标题');
    expect(chat.state).toBe('title');
    await chat.say('关于五桥片区公交加密班次的建议');
    expect(chat.state).toBe('feasibility');
    expect(chat.last).toContain('已保留');
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.title).toBe('关于五桥片区公交加密班次的建议');
    expect(stored.feasibility).toBe(good.feasibility);
  });

  test('"标题不对，改一下" said in plain words at the proposal step', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(good.proposal[0]);
    await chat.say('标题不对，改一下');
    expect(chat.state).toBe('title');
    await chat.say('关于五桥片区公交加密班次的建议');
    expect(chat.state).toBe('proposal');
    await chat.say(good.proposal[1]);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.proposal).toBe(good.proposal.join('\n'));
  });

  test('返回 from the summary keeps the identity; 不改 goes on with it', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('返回');
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('张志刚');
    await chat.say('不改');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：张志刚');
    expect(chat.last).toContain('联系电话：13812345678');
  });

  test('返回 from the summary and a new phone changes only the phone', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('返回');
    await chat.say('13900001111');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：张志刚');
    expect(chat.last).toContain('联系电话：13900001111');
    expect(chat.last).toContain('工作单位：万州区某某公司');
  });

  test('重新开始 asks first; 继续填写 keeps everything', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('全部删了重新写');
    expect(chat.last).toContain('确定要重新开始吗');
    await chat.say('继续填写');
    expect(chat.state).toBe('identity');
    const stored = await submitFrom(chat);
    expect(stored.title).toBe(good.title);
  });

  test('a correction of an earlier answer changes only that answer', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('王建军');
    await chat.say('13812345678');
    await chat.say('名字是王建国，不是王建军');
    expect(chat.last).toContain('王建国');
    expect(chat.state).toBe('identity');
    await chat.say('村民，熊家镇古城村');
    const stored = await submitFrom(chat);
    expect(stored.proposer).toEqual({ name: '王建国', phone: '13812345678', unit: '村民，熊家镇古城村' });
  });

  test('a 3,073-character proposal in one message is kept whole', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    const long = `${good.proposal.join('')}${'建议在各村设立农产品收购点，由合作社统一收购，解决农民卖难问题。'.repeat(95)}`.slice(0, 3073);
    expect(long.length).toBe(3073);
    await chat.say(long);
    expect(chat.last).toContain('3073');
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.proposal).toBe(long);
  });

  test('the whole suggestion pasted at the theme step is kept as the proposal, and the theme still asked', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    const pasted = good.proposal.join('');
    await chat.say(pasted);
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('记下');
    await chat.say('3');
    await chat.say(good.title);
    await chat.say('解决问题');
    // Arriving at the proposal step, the pasted text is quoted back; the citizen may add to it.
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('您前面发来的内容已记为建议内容');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.proposal).toBe(pasted);
  });
});

describe('a voice-to-text citizen who says it all at once', () => {
  test('a run-on pasted at the theme step is kept as the proposal (not discarded), and the theme still asked', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    const runOn = '嗯那个我跟你说哈就是我们五桥那边到江南新区的公交车太少了半个小时才一班早上娃娃上学根本挤不上去建议早晚高峰加密到十分钟一班再在五桥中学那里修个候车亭';
    await chat.say(runOn);
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('已先记下这段话');
    await chat.say('3');
    await chat.say('关于五桥到江南新区公交加密的建议');
    await chat.say('3');
    // The kept text arrives at the proposal step and is checked there like any proposal.
    expect(chat.state).not.toBe('title');
    expect(['proposal', 'feasibility']).toContain(chat.state);
    expect(chat.last).toContain('五桥那边到江南新区');
  });
});

describe('questions about the campaign are answered wherever they are asked', () => {
  test.each([
    ['theme', '只能提乡村振兴和成渝的吗？', '日常建议'],
    ['proposal', '被采纳了有奖励没得', '5万元'],
    ['proposal', '字数有限制没得', '不限字数'],
    ['title', '这个活动好久结束', '10月上旬'],
    ['theme', '成渝地区双城经济圈是啥子', '西部陆海新通道'],
    ['identity', '名字会公开吗', '不会公开'],
    ['confirm', '好久有回复哦？', '15个工作日'],
    ['confirm', '提交以后会怎么样', '编号'],
    ['category', '这个要填好久哦', '5分钟左右'],
    ['feasibility', '你们这个是政府的吗 靠不靠谱', '万州区信访办'],
    ['proposal', '提了有没有用 政府会不会看', '件件有回复'],
  ] as const)('at the %s step: "%s"', async (step, question, answer) => {
    const chat = await startChat();
    await walkTo(chat, step);
    await chat.say(question);
    expect(chat.state).toBe(step);
    expect(chat.last).toContain(answer);
  });

  test('why a phone is needed, when the citizen will not give one: explained once, with a person to contact, no loop', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('李秀英');
    await chat.say('为啥子要留电话');
    expect(chat.last).toContain('联系');
    await chat.say('不想给');
    expect(chat.last).toContain('承办单位');
    expect(chat.last).toContain('17723966166');
    expect(chat.last).not.toContain('无法识别的字符');
    await chat.say('那好嘛 一三八 一二三四 五六七八');
    expect(chat.last).toContain('工作单位');
    await chat.say('无');
    const stored = await submitFrom(chat);
    expect(stored.proposer.phone).toBe('13812345678');
  });

  test('a reward question as the very first message is answered, with how to begin', async () => {
    const chat = await startChat();
    await chat.say('提交了有没有奖金哦？');
    expect(chat.last).toContain('5万元');
    expect(chat.last).toContain('我想提建议');
  });

  test('帮助 lists the common questions', async () => {
    const chat = await startChat();
    await chat.say('帮助');
    expect(chat.last).toContain('有奖励吗');
    expect(chat.last).toContain('要写多少字');
    expect(chat.last).toContain('转人工');
  });
});

describe('identity as the seed requires', () => {
  test.each([
    ['023-58123456', '023-58123456'],
    ['+86 139 1234 5678', '13912345678'],
    ['138 1234 5678', '13812345678'],
    ['幺三八幺二三四五六七八', '13812345678'],
    ['电话是15023456789', '15023456789'],
  ])('the phone %s is stored as %s', async (typed, stored) => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('王建国');
    await chat.say(typed);
    expect(chat.last).toContain('工作单位');
    await chat.say('退休');
    expect((await submitFrom(chat)).proposer.phone).toBe(stored);
  });

  test.each(['无', '无业', '退休', '个体户', '村民，熊家镇古城村', '万州区某某小学 语文教研组', '重庆三峡学院 Chongqing Three Gorges University'])(
    'the unit "%s" is kept as typed',
    async (unit) => {
      const chat = await startChat();
      await walkTo(chat, 'identity');
      await chat.say('王建国');
      await chat.say('13812345678');
      await chat.say(unit);
      expect((await submitFrom(chat)).proposer.unit).toBe(unit);
    },
  );

  test('修改 单位 with a unit in two languages changes only the unit, whole', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('修改 单位');
    await chat.say('重庆三峡学院 Chongqing Three Gorges University');
    expect(chat.state).toBe('confirm');
    const stored = await submitFrom(chat);
    expect(stored.proposer).toEqual({ name: '张志刚', phone: '13812345678', unit: '重庆三峡学院 Chongqing Three Gorges University' });
  });
});

describe('commands said in plain words', () => {
  test('"我要找真人说" on a channel without hand-over gives the contact and keeps the draft', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(good.proposal[0]);
    await chat.say('我要找真人说');
    expect(chat.last).toContain('17723966166');
    expect(chat.last).toContain('信访代理员');
    expect(chat.last).not.toContain('只能帮您提交建议');
    expect(chat.state).toBe('proposal');
    await chat.say('继续');
    expect(chat.last).toContain('已记录');
  });

  test('转人工 as the first message', async () => {
    const chat = await startChat();
    await chat.say('转人工');
    expect(chat.last).toContain('17723966166');
  });

  test('a reference number without the dash is looked up', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('确认');
    const ref = chat.lastTurn.reference!;
    await chat.say(ref.replace('-', ''));
    expect(chat.last).toContain(ref);
    expect(chat.last).toContain(good.title);
  });

  test('an elderly villager in dialect, with typos, ends with a clean suggestion', async () => {
    const chat = await startChat();
    await chat.say('你好 我想提个建意');
    expect(chat.state).toBe('theme');
    await chat.say('乡村振心');
    expect(chat.state).toBe('title');
    await chat.say('标题要写啥子');
    expect(chat.state).toBe('title');
    await chat.say('给我们村里通公交车');
    await chat.say('不晓得选哪个');
    expect(chat.state).toBe('category');
    await chat.say('解决问题');
    await chat.say('我们村到镇上没有公交，老人赶场要走两个小时，建议开通一趟逢场天的村村通客车，早上七点去中午十二点回。');
    await chat.say('就这些');
    expect(chat.state).toBe('feasibility');
    await chat.say('可行性是啥子意思');
    expect(chat.last).toContain('办得成');
    await chat.say('镇上客运站有车，逢场天开两趟就够，老人坐车给点补贴就行');
    await chat.say('写完了');
    await chat.say('我叫向红梅');
    await chat.say('幺三八 幺二三四 五六七八');
    await chat.say('村民，熊家镇古城村');
    const stored = await submitFrom(chat);
    expect(stored.theme).toBe('rural_revitalization');
    expect(stored.title).toBe('给我们村里通公交车');
    expect(stored.proposer).toEqual({ name: '向红梅', phone: '13812345678', unit: '村民，熊家镇古城村' });
    expect(stored.proposal).not.toContain('就这些');
  });
});

describe('yes and no in plain words', () => {
  test('"要得" at the review submits; "不对" and "不提交" never do', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('不对');
    expect(chat.state).toBe('confirm');
    expect(chat.options).toContain('标题');
    await chat.say('不提交');
    expect(chat.last).toContain('确定要取消吗');
    await chat.say('继续填写');
    expect(chat.world.suggestions.stored).toHaveLength(0);
    await chat.say('要得');
    expect(chat.state).toBe('submitted');
  });

  test.each([['好'], ['好的'], ['行嘛']])('"%s" at the review, after the summary was shown, submits', async (yes) => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say(yes);
    expect(chat.state).toBe('submitted');
    expect(chat.world.suggestions.stored).toHaveLength(1);
  });

  test('menus answered as people say it: 第一个, 选三, the first one', async () => {
    for (const [i, [typed, theme]] of ([['第一个', 'rural_revitalization'], ['选三', 'general'], ['the first one', 'rural_revitalization']] as const).entries()) {
      const chat = await startChat({ user: `menu-${i}` });
      await walkTo(chat, 'theme');
      await chat.say(typed);
      expect(chat.state).toBe('title');
      await walkOn(chat);
      expect((await submitFrom(chat)).theme).toBe(theme);
    }
  });

  test.each([['对'], ['好的'], ['是'], ['嗯']])('"%s" after "看起来属于…类" takes the category the bot suggested', async (yes) => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('关于五桥片区道路坑洼积水问题的建议');
    expect(chat.last).toContain('如无误请回复');
    await chat.say(yes);
    expect(chat.state).toBe('proposal');
  });

  test('"就按你说的" takes the category the bot suggested; "我选2" picks option 2', async () => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say('我选2');
    expect(chat.state).toBe('title');
    await chat.say('关于五桥片区道路坑洼积水问题的建议');
    expect(chat.last).toContain('如无误请回复');
    const suggested = /看起来属于“(.+?)”类/.exec(chat.last)![1]!;
    await chat.say('就按你说的');
    expect(chat.state).toBe('proposal');
    await chat.say(good.proposal.join(''));
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    const stored = await submitFrom(chat);
    expect(stored.theme).toBe('chengyu_economic_circle');
    const names: Record<string, string> = { policy: '完善政策', work: '改进工作', problem: '解决问题', innovation: '创新体制机制' };
    expect(names[stored.category ?? '']).toBe(suggested);
  });
});

describe('wandering in the middle of a draft', () => {
  test('an emergency mid-draft gets the emergency numbers; the draft is kept', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(good.proposal[0]);
    await chat.say('快来人啊我家着火了');
    expect(chat.last).toContain('119');
    expect(chat.last).toContain('草稿仍保留');
    expect(chat.state).toBe('proposal');
    await chat.say(good.proposal[1]);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    expect((await submitFrom(chat)).proposal).toBe(good.proposal.join('\n'));
  });

  test('progress asked in plain words mid-draft lists the citizen\'s suggestions and keeps the draft', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('确认');
    await walkTo(chat, 'title');
    await chat.say('我上次提的那个建议办得怎么样了');
    expect(chat.last).toContain(good.title);
    expect(chat.last).toContain('草稿仍保留');
    expect(chat.state).toBe('title');
  });
});

describe('details sent while the proposal is being written', () => {
  test('"Michael Brown, +86 139 1234 5678, Chongqing Three Gorges University" is kept as the details, not added to the proposal', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(good.proposal.join(''));
    await chat.say('Michael Brown, +86 139 1234 5678, Chongqing Three Gorges University');
    expect(chat.last).toContain('已先记下您的');
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    // Nothing left to ask: the review shows the details kept.
    expect(chat.state).toBe('confirm');
    await chat.say('确认');
    const stored = chat.world.suggestions.stored.at(-1)!;
    expect(stored.proposal).toBe(good.proposal.join(''));
    expect(stored.proposer).toEqual({ name: 'Michael Brown', phone: '13912345678', unit: 'Chongqing Three Gorges University' });
  });
});

