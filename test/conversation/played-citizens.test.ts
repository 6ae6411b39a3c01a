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

describe('what an independent tester found (58 citizens played)', () => {
  test('返回 twice and forward again keeps the feasibility already written', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('保洁员工资每月一千五，可以从公益性岗位里出');
    await chat.say('完成');
    await chat.say('返回');
    await chat.say('返回');
    expect(chat.state).toBe('proposal');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    expect(chat.last).toContain('保洁员工资每月一千五');
    await chat.say('完成');
    expect(chat.state).toBe('identity');
  });

  test('identity in one line with 无 as the unit is complete', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('李四，13800001111，无');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('工作单位：无');
  });

  test('我想提建议 typed while a draft is open carries on with it', async () => {
    const chat = await startChat();
    await chat.say('在吗');
    await chat.say('我想提建议');
    expect(chat.last).toContain('我们接着填写');
    expect(chat.last).not.toContain('您还没有提交过建议');
    expect(chat.state).toBe('theme');
  });

  test.each([['我上个月提的建议咋个还没回复'], ['我是来查进度的'], ['我的建议处理得怎么样了']])('"%s" is a progress query, not a petition', async (text) => {
    const chat = await startChat();
    await chat.say(text);
    expect(chat.last).not.toContain('信访渠道');
    expect(chat.last).toContain('还没有提交过建议');
  });

  test('a reference typed without the dash is looked up as one', async () => {
    const chat = await startChat();
    await chat.say('查询 WZ2021000001');
    expect(chat.last).toContain('WZ2021-000001');
  });

  test.each([
    ['喂 有人没得', '请选择建议的主题'],
    ['刘书记在村里乱收费，每户收了两百块钱说是修路，钱也不知道去哪了', '12388'],
    ['单位三年没给我交社保', '12333'],
  ])('"%s" gets %s', async (text, expected) => {
    const chat = await startChat();
    await chat.say(text);
    expect(chat.last).toContain(expected);
    expect(chat.last).not.toContain('110');
  });

  test('a slogan as the first message is not taken for a tip-off', async () => {
    const chat = await startChat();
    await chat.say('乡村振兴，人人有责！');
    expect(chat.last).not.toContain('110');
    expect(chat.state).not.toBe('out_of_scope');
  });
});

test('a question at the theme menu is answered, and the theme is not chosen by it', async () => {
  const chat = await startChat();
  await chat.say('你好');
  await chat.say('成渝地区双城经济圈建设是啥子意思');
  expect(chat.state).toBe('theme');
  // What each theme covers, from the campaign's FAQ.
  expect(chat.last).toContain('②成渝地区双城经济圈建设（现代产业');
  await chat.say('2');
  expect(chat.state).toBe('title');
});

describe('a suggestion pasted as a filled-in form', () => {
  const form = [
    '主题：乡村振兴',
    '标题：关于在白羊镇建设冷链仓库的建议',
    '类别：解决问题',
    '建议内容：白羊镇脆李每年丰收卖不出去，价格被压得很低。建议在镇上建一个300吨冷链仓库，由合作社统一收购、错峰销售。',
    '可行性：可申请乡村振兴衔接资金，合作社出一部分，两年收回成本。',
    '姓名：郑开明',
    '电话：13908351234',
    '单位：白羊镇脆李合作社',
  ].join('\n');

  test.each([['as the first message', [form]], ['after a greeting', ['你好', form]]])('%s: every field is filled and the summary is shown', async (_when, messages) => {
    const chat = await startChat();
    for (const m of messages) await chat.say(m);
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('已按您发来的内容填好');
    expect(chat.last).not.toContain('已采用您之前发来的内容');
    await chat.say('确认');
    const stored = chat.world.suggestions.stored[0]!;
    expect(stored).toMatchObject({ title: '关于在白羊镇建设冷链仓库的建议', proposer: { name: '郑开明', phone: '13908351234', unit: '白羊镇脆李合作社' } });
    // What the citizen typed is kept as typed (full-width punctuation included).
    expect(stored.proposal).toBe('白羊镇脆李每年丰收卖不出去，价格被压得很低。建议在镇上建一个300吨冷链仓库，由合作社统一收购、错峰销售。');
    expect(stored.feasibility).toBe('可申请乡村振兴衔接资金，合作社出一部分，两年收回成本。');
  });

  test('a form missing fields asks for the first one missing', async () => {
    const chat = await startChat();
    await chat.say(['标题：关于在白羊镇建设冷链仓库的建议', '建议内容：白羊镇脆李每年丰收卖不出去，价格被压得很低。建议在镇上建一个300吨冷链仓库，由合作社统一收购、错峰销售。', '姓名：郑开明'].join('\n'));
    expect(chat.state).toBe('theme');
    await chat.say('1');
    expect(chat.state).not.toBe('title');
  });
});

test('a voice-to-text run-on that ends with a question keeps the content and answers the question', async () => {
  const chat = await startChat();
  await walkTo(chat, 'proposal');
  await chat.say('我们孙家镇到城里的班车一天只有两班 早上七点一班下午四点一班 赶不上就只能包车 建议加到每天四班 中午加两班 对了这个提了有没得奖励哦');
  expect(chat.last).toMatch(/已记录/);
  expect(chat.last).toContain('5万元');
  await chat.say('完成');
  await chat.say(good.feasibility);
  await chat.say('完成');
  await chat.say(good.identity);
  await chat.say('确认');
  expect(chat.world.suggestions.stored[0]?.proposal).not.toContain('奖励');
  expect(chat.world.suggestions.stored[0]?.proposal).toContain('中午加两班');
});

test('an English speaker: the intent gets the welcome, an English proposal is kept and not coached as one sentence', async () => {
  const chat = await startChat();
  await chat.say('Hello, I would like to make a suggestion about tourism in Wanzhou');
  expect(chat.state).toBe('theme');
  await chat.say('2');
  await chat.say('More English signs at tourist sites');
  expect(chat.state).toBe('category');
  await chat.say('5');
  await chat.say('Many signs at Wanzhou scenic spots only have pinyin. Foreign tourists cannot understand them. Please add correct English translations at the main sites and stations, checked by the university.');
  await chat.say('完成');
  expect(chat.state).toBe('feasibility');
});

describe('what a second independent tester found', () => {
  test('a short proposal typed at the category menu is kept and used', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say('1');
    await chat.say('关于村道硬化的建议');
    await chat.say('村道烂得很，建议区里把村道硬化，再装路灯');
    expect(chat.last).toContain('已先记下这段话');
    await chat.say('3');
    expect(chat.last).toContain('村道烂得很');
  });

  test('a title as the first message is kept as the title', async () => {
    const chat = await startChat();
    await chat.say('关于万州建设成渝地区重要物流节点的建议');
    expect(chat.last).toContain('作为建议标题');
    await chat.say('2');
    expect(chat.state).toBe('category');
  });

  test('a phone number alone at the feasibility step is kept for the identity', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('13612345678');
    expect(chat.last).toContain('联系电话');
    expect(chat.last).not.toMatch(/已记录/);
  });

  test.each([
    ['我妈的养老保险转不过来 社保局推来推去', '12333'],
    ['我建议你们把那个姓王的局长撤了 他天天喝酒不上班', '12388'],
    ['1', '请选择建议的主题'],
  ])('"%s" gets %s', async (text, expected) => {
    const chat = await startChat();
    await chat.say(text);
    expect(chat.last).toContain(expected);
    expect(chat.last).not.toContain('请文明交流');
  });

  test('after cancelling, "我又想好了 还是要提" starts a fresh draft without becoming its content', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('取消');
    await chat.say('确定取消');
    await chat.say('我又想好了 还是要提');
    expect(chat.state).toBe('theme');
    expect(chat.last).not.toContain('已收到您的建议内容');
  });
});

test('无 as the feasibility is taken as the answer; asked for more once, the citizen may insist', async () => {
  const chat = await startChat();
  await walkTo(chat, 'feasibility');
  await chat.say('无');
  expect(chat.last).toMatch(/已记录/);
  await chat.say('完成');
  await chat.say('坚持按现在的内容提交');
  expect(chat.state).toBe('identity');
});

test('at the phone: a placeholder number is refused with the reason, and not wanting to give one is answered', async () => {
  const chat = await startChat();
  await walkTo(chat, 'identity');
  await chat.say('王建华');
  await chat.say('13800000000');
  expect(chat.last).toContain('不是真实的电话');
  await chat.say('不想留电话 可以不填吗');
  expect(chat.last).toContain('留电话是为了承办单位');
});

describe('what a third independent tester found', () => {
  test('content starting with 好多, 在 or 还有 keeps its first word', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('好多农民想在网上卖东西又不会 建议镇上办电商培训班');
    await chat.say('在成都打工的人回来也可以来教');
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    const proposal = chat.world.suggestions.stored[0]?.proposal ?? '';
    expect(proposal.startsWith('好多农民')).toBe(true);
    expect(proposal).toContain('在成都打工的人');
  });

  test('a sentence of content the model takes for a command is content (…公积金用不了)', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('在成都工作的万州人回来买房公积金用不了');
    expect(chat.last).toMatch(/已记录/);
  });

  test('several messages sent at a menu are all kept, and identity details too', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say('1');
    await chat.say('关于修冷库的建议');
    await chat.say('我们村种的榨菜和脆李卖不出去 建议村上修个冷库');
    await chat.say('冷库建在村委会旁边的空地上 由合作社管');
    await chat.say('王志强 13908351234 万州区龙驹镇人民政府');
    expect(chat.last).toContain('已先记下您的');
    await chat.say('3');
    expect(chat.last).toContain('我们村种的榨菜');
    expect(chat.last).toContain('由合作社管');
  });

  test('"1" answers the 坚持 option', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('多修点公厕');
    await chat.say('完成');
    expect(chat.options).toContain('坚持按现在的内容提交');
    await chat.say('1');
    expect(chat.state).toBe('feasibility');
  });
});

test('不晓得 at the category menu is 不确定', async () => {
  const chat = await startChat();
  await walkTo(chat, 'category');
  await chat.say('不晓得');
  expect(chat.state).toBe('proposal');
});
