/**
 * A suggestion typed as the first message, as people type it (what an independent tester's citizens did):
 * the greeting and "I want to suggest" before it are not kept, the proposer's details at its end go to
 * their fields, a question at its end is answered, and at the proposal step the kept text is quoted back
 * so the citizen can add to it instead of the step being silently passed.
 */
import { describe, expect, test } from 'vitest';
import { finishFrom, good, startChat } from '../helpers/conversation.js';

async function toProposal(chat: Awaited<ReturnType<typeof startChat>>) {
  await chat.say('3');
  await chat.say('关于北滨路二段加装太阳能路灯的建议');
  await chat.say('解决问题');
}

describe('a voice-to-text run-on with everything in it', () => {
  const runOn =
    '你好我想提个建议就是我们万州北滨路那一段晚上没得路灯黑黢黢的走路不安全建议区里面在北滨路二段加装路灯大概每隔三十米装一盏可以用太阳能的不用拉电线成本也不高我叫刘德明电话13996541234在万州区城投公司上班';

  test('the greeting is dropped, the details are kept for the identity, and the proposal is quoted back to add to', async () => {
    const chat = await startChat();
    await chat.say(runOn);
    expect(chat.last).toContain('已先记下您的姓名、联系电话、工作单位');
    await toProposal(chat);
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('您前面发来的内容已记为建议内容');
    await chat.say('完成');
    await chat.say('我前面说了的嘛 太阳能的不用拉电线 成本不高 一盏也就几千块');
    await chat.say('完成');
    // Name, phone and unit came with the first message: straight to the review.
    expect(chat.state).toBe('confirm');
    await chat.say('确认');
    const stored = chat.world.suggestions.stored[0]!;
    expect(stored.proposal).toBe(
      '我们万州北滨路那一段晚上没得路灯黑黢黢的走路不安全建议区里面在北滨路二段加装路灯大概每隔三十米装一盏可以用太阳能的不用拉电线成本也不高',
    );
    expect(stored.feasibility).toBe('太阳能的不用拉电线 成本不高 一盏也就几千块');
    expect(stored.proposer).toEqual({ name: '刘德明', phone: '13996541234', unit: '万州区城投公司' });
  });
});

describe('"I want to suggest" with the suggestion after it', () => {
  test('is kept as the proposal, not asked for again', async () => {
    const chat = await startChat();
    await chat.say('你好 我想说一下我们小区电梯的事情 电梯老是坏 物业不管 我想提个建议 建议政府出台老旧小区电梯维修基金的政策');
    expect(chat.last).toContain('已收到您的建议内容');
    await chat.say('3');
    await chat.say('关于设立老旧小区电梯维修基金的建议');
    await chat.say('完善政策');
    expect(chat.last).toContain('电梯老是坏 物业不管');
    expect(chat.last).not.toContain('你好');
  });

  test('a short "I want to suggest" alone still just starts', async () => {
    const chat = await startChat();
    await chat.say('你好，我想提个建议');
    expect(chat.last).not.toContain('已收到您的建议内容');
    expect(chat.state).toBe('theme');
  });
});

describe('a question at the end of a first message', () => {
  test('is answered, and not kept in the proposal', async () => {
    const chat = await startChat();
    await chat.say('建议在江南新区市民中心二楼设一个图书馆分馆，现在最近的图书馆在江北，来回要一个小时，对了提建议有没得奖励哦');
    expect(chat.last).toContain('最高奖励5万元');
    await chat.say('3');
    await chat.say(good.title);
    await chat.say('解决问题');
    expect(chat.last).toContain('您前面发来的内容已记为建议内容');
    expect(chat.last).not.toContain('奖励');
  });
});

describe('what the first message already says', () => {
  test('"想给乡村振兴提个建议" chooses the theme on the way in', async () => {
    const chat = await startChat();
    await chat.say('想给乡村振兴提个建议');
    expect(chat.last).toContain('主题已选“乡村振兴”');
    expect(chat.state).toBe('title');
  });

  test('"我想提个建议 但是不想留名字可以不" is answered and the draft begins', async () => {
    const chat = await startChat();
    await chat.say('我想提个建议 但是不想留名字可以不');
    expect(chat.last).toContain('不能匿名');
    expect(chat.state).toBe('theme');
  });

  test('"万州区 建议 关于…的建议" as a title keeps only the title', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say('3');
    await chat.say('万州区 建议 关于加快建设万州到达州高速公路的建议');
    await chat.say('解决问题');
    await finishFrom(chat);
    expect(chat.world.suggestions.stored[0]?.title).toBe('关于加快建设万州到达州高速公路的建议');
  });

  test('a complaint typed at the theme menu is referred at once, the draft kept', async () => {
    const chat = await startChat();
    await chat.say('我有一个建议和一个投诉');
    await chat.say('先说投诉 我们楼下的菜市场占道经营 城管不管');
    expect(chat.last).toContain('12345');
    expect(chat.last).not.toContain('请回复上面选项的编号');
    await chat.say('3');
    expect(chat.state).toBe('title');
  });
});

describe('details said first, in Chinese numerals', () => {
  test('name, phone and unit before the suggestion go to their fields; the place name 五桥 stays words', async () => {
    const chat = await startChat();
    await chat.say('喂你好我叫黄志强电话是一三八零八三五六七八九我在五桥街道上班我想建议五桥那个菜市场太旧了下雨天到处是水建议改造一下加个顶棚排水沟重新修一下');
    // The scope judgement may ask first (a run-on that starts with oneself); 提建议 goes on with it.
    if (chat.last.includes('您是想提建议')) await chat.say('提建议');
    expect(chat.last).toContain('已先记下您的姓名、联系电话、工作单位');
    await chat.say('3');
    await chat.say('关于改造五桥菜市场的建议');
    await chat.say('解决问题');
    expect(chat.last).not.toContain('黄志强');
    expect(chat.last).toContain('五桥那个菜市场太旧了');
    await chat.say('完成');
    await chat.say('街道出一部分钱，摊主出一部分，一两个月就能修好');
    await chat.say('完成');
    expect(chat.state).toBe('confirm');
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposer).toEqual({ name: '黄志强', phone: '13808356789', unit: '五桥街道' });
  });
});

describe('remarks in a first message (a third independent tester)', () => {
  test('"我想提个建议噻，…" keeps only the suggestion', async () => {
    const chat = await startChat();
    await chat.say('我想提个建议噻，我们村头那个路烂得很咯，一下雨就全是稀泥巴，建议镇上把它硬化了');
    await chat.say('3');
    await chat.say('关于硬化村头道路的建议');
    await chat.say('解决问题');
    expect(chat.last).toContain('“我们村头那个路烂得很咯');
  });

  test('"我是想提建议 建议给我们村开个校车" keeps the suggestion it carries', async () => {
    const chat = await startChat();
    await chat.say('我是想提建议 建议给我们村开个校车');
    await chat.say('1');
    await chat.say('关于给村里开校车的建议');
    await chat.say('解决问题');
    expect(chat.last).toContain('建议给我们村开个校车');
  });

  test('"你好，我想写一条关于…的建议，内容比较长，我分几段发" keeps nothing: the pieces are the content', async () => {
    const chat = await startChat();
    await chat.say('你好，我想写一条关于三峡移民文化的建议，内容比较长，我分几段发');
    expect(chat.last).not.toContain('已收到您的建议内容');
    await chat.say('3');
    await chat.say('关于保护三峡移民文化的建议');
    await chat.say('改进工作');
    expect(chat.last).toContain('请写出建议内容');
  });
});

describe('a whole suggestion pasted with its title as the first line', () => {
  test('the title is taken, and not asked for again', async () => {
    const chat = await startChat();
    await chat.say('关于在社区推广家庭医生上门服务的建议\n内容：现在老人看病难，建议社区医生每月上门一次，给行动不便的老人量血压、开药。\n可行性：社区卫生服务中心有医生，排班即可。\n姓名：邓晓梅\n电话：15923456781\n单位：万州区龙都街道某社区');
    expect(chat.state).not.toBe('title');
    expect(chat.last).not.toContain('请用一句话写出建议的标题');
  });
});

describe('a first message the bot asks about, answered with words instead of a button', () => {
  test('"乡村振兴" after 您是想提建议，还是反映个人诉求？ keeps the first message as the proposal and takes the theme', async () => {
    const chat = await startChat();
    await chat.say('喂 你好 我是熊家镇的 我想说我们村到镇上的路太烂了 下雨天摩托车都骑不了 建议把这三公里硬化了 要好久才有回复哦');
    expect(chat.last).toContain('您是想提建议');
    await chat.say('乡村振兴');
    expect(chat.last).toContain('主题已选“乡村振兴”');
    expect(chat.state).toBe('title');
    await chat.say('关于硬化熊家镇村道的建议');
    await chat.say('解决问题');
    expect(chat.last).toContain('下雨天摩托车都骑不了');
  });
});
