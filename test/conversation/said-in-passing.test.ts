/**
 * Commands and corrections said in a sentence, as an independent tester's citizens said them: they are
 * acted on, never stored as the answer to the step they were typed at.
 */
import { describe, expect, test } from 'vitest';
import { finishFrom, good, startChat, walkTo } from '../helpers/conversation.js';

describe('a menu answered wrongly, corrected by naming the option wanted', () => {
  test('"哦不对 选错了 我要选日常建议" at the title step changes the theme and asks for the title again', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say('1');
    await chat.say('哦不对 选错了 我要选日常建议');
    expect(chat.last).toContain('已把主题改为“日常建议”');
    expect(chat.state).toBe('title');
    await chat.say(good.title);
    await chat.say('解决问题');
    await finishFrom(chat);
    const stored = chat.world.suggestions.stored[0]!;
    expect(stored.theme).toBe('general');
    expect(stored.title).toBe(good.title);
  });
});

describe('a command at the end of a sentence', () => {
  test('"不对 我还没写内容 返回" at the feasibility step goes back, and stores nothing as the feasibility', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('不对 我还没写内容 返回');
    expect(chat.state).toBe('proposal');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    expect(chat.last).not.toContain('已保留');
  });

  test('"能不能转人工 我想跟真人说" at the title step asks for a person, not a title', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('能不能转人工 我想跟真人说');
    expect(chat.last).toContain('17723966166');
    expect(chat.state).toBe('title');
    await chat.say(good.title);
    expect(chat.state).toBe('category');
  });

  test('a sentence of content with a command-like word in it is still content', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我们那里的住房公积金用不了，建议开通异地提取，在万州买房也能用重庆主城缴的公积金。');
    expect(chat.last).toContain('已记录');
  });
});

describe('changing an answer at the review in plain words', () => {
  test.each([['标题前面多了关于两个字 改一下'], ['标题咋个是这个 修改 标题'], ['标题写得不好']])('"%s" opens the title for a new one', async (said) => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say(said);
    expect(chat.state).toBe('title');
    await chat.say('在五桥片区增设早晚高峰公交班次的建议');
    expect(chat.state).toBe('confirm');
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.title).toBe('在五桥片区增设早晚高峰公交班次的建议');
  });

  test('"单位不对 是万州区交通局" puts the new unit in place', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('单位不对 是万州区交通局');
    expect(chat.last).toContain('已把工作单位改为“万州区交通局”');
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposer.unit).toBe('万州区交通局');
  });
});

describe('menus answered in plain words', () => {
  test('"日常的嘛 就是城里面的事" chooses 日常建议', async () => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say('日常的嘛 就是城里面的事');
    expect(chat.state).toBe('title');
  });

  test('"你看着办嘛 我不懂这些" at the category is 不确定, and "算了 3" is 3', async () => {
    const chat = await startChat();
    await walkTo(chat, 'category');
    await chat.say('你看着办嘛 我不懂这些');
    expect(chat.state).toBe('proposal');
    const other = await startChat({ user: 'second' });
    await walkTo(other, 'category');
    await other.say('算了 3');
    expect(other.state).toBe('proposal');
  });

  test('a long text at the theme menu that mentions 乡村 is content kept ahead, not a choice', async () => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say('我们乡村的路太烂了，下雨天娃儿上学鞋子全是泥，建议把村道硬化了');
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('已先记下这段话');
  });
});

describe('asking after a suggestion in a sentence', () => {
  test('a reference number inside a question is looked up, not taken for a new suggestion', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('确认');
    const ref = chat.lastTurn.reference!;
    const later = await startChat({ user: 'someone-else' });
    await later.say(`你好，我上个月提的建议，编号${ref}，现在有结果没有？`);
    expect(later.last).toContain(ref);
    expect(later.last).not.toContain('请选择建议的主题');
  });

  test('with nothing submitted from this WeChat, the citizen is told how to look one up by its number', async () => {
    const chat = await startChat();
    await chat.say('我是问我的建议办得咋样了 不是要提新的');
    expect(chat.last).toContain('查询 WZ2021-000123');
    expect(chat.last).toContain('17723966166');
  });
});

describe('more of an earlier long answer, sent after the bot moved on', () => {
  test('"我还没说完 …" at the feasibility step is added to the proposal, and the feasibility is asked again', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('我还没说完 现在每天只有几趟 早上7点前没有车');
    expect(chat.last).toContain('补充到建议内容');
    expect(chat.state).toBe('feasibility');
    await finishFrom(chat);
    const stored = chat.world.suggestions.stored[0]!;
    expect(stored.proposal).toContain('现在每天只有几趟 早上7点前没有车');
    expect(stored.proposal).not.toContain('还没说完');
    expect(stored.feasibility).toBe(good.feasibility);
  });
});

describe('a name said with a question', () => {
  test('"我叫陈小军 电话不想给 可以不" keeps the name and explains why a phone is needed', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('我叫陈小军 电话不想给 可以不');
    expect(chat.last).toContain('已先记下您的姓名');
    expect(chat.last).toContain('电话');
    await chat.say('13912345678');
    await chat.say('退休');
    expect(chat.state).toBe('confirm');
    expect(chat.last).toContain('姓名：陈小军');
  });
});

describe('asking the bot to write the title', () => {
  test('"标题你帮我写嘛 就是北滨路装路灯" is offered a title drawn from it, taken with 好的', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('标题你帮我写嘛 就是北滨路装路灯');
    expect(chat.last).toContain('“关于北滨路装路灯的建议”');
    expect(chat.options).toEqual(['用这个标题', '我自己写']);
    await chat.say('好的');
    expect(chat.state).toBe('category');
    await chat.say('解决问题');
    await finishFrom(chat);
    expect(chat.world.suggestions.stored[0]?.title).toBe('关于北滨路装路灯的建议');
  });

  test('a title typed instead of taking the offer is the title', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('标题你帮我写嘛 就是北滨路装路灯');
    await chat.say('关于北滨路二段加装太阳能路灯的建议');
    expect(chat.state).toBe('category');
  });
});

describe('the review submits only on a yes', () => {
  test.each([['某某村村民'], ['王建华'], ['13912345678']])('"%s" at the review does not submit', async (said) => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say(said);
    expect(chat.world.suggestions.stored).toHaveLength(0);
    expect(chat.state).not.toBe('submitted');
  });
});

describe('content that looks like something else', () => {
  test('a feasibility with 几千块 in it is content, not a question', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('画线不花好多钱 隔离栏几千块一个路口 能减少事故');
    expect(chat.last).toContain('已记录');
  });

  test('"…就这些" at the end of the proposal ends it, and is not stored', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(`${good.proposal.join('')}就这些`);
    expect(chat.state).toBe('feasibility');
    await finishFrom(chat);
    expect(chat.world.suggestions.stored[0]?.proposal).toBe(good.proposal.join(''));
  });
});

describe('remarks at the edges of content (a second independent tester)', () => {
  test('"…成本不高嘛 我刚才说了的" keeps the content without the remark', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('钱街道出一部分摊主出一部分 成本不高嘛 我刚才说了的');
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.feasibility).toBe('钱街道出一部分摊主出一部分 成本不高嘛');
  });

  test('a question at the end of content is answered and not kept', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(`${good.proposal.join('')}这个要写好多字才行哦`);
    expect(chat.last).toContain('不限字数');
    await chat.say('完成');
    await finishFrom(chat);
    expect(chat.world.suggestions.stored[0]?.proposal).toBe(good.proposal.join(''));
  });

  test('"可行性里面最后那句是我问你的 不是内容" adds nothing to the feasibility', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('可行性里面最后那句是我问你的 不是内容');
    expect(chat.last).not.toContain('补充到可行性');
  });

  test('a title offered stands while a question is answered, and "用这个标题" takes it', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('标题你帮我写嘛 就是北滨路装路灯');
    await chat.say('提了有没有用哦');
    expect(chat.last).toContain('件件有回复');
    await chat.say('用这个标题');
    expect(chat.state).toBe('category');
  });
});

describe('a filled-in form typed on one line', () => {
  test('姓名：… 电话：… 单位：… 主题：… 标题：… are all taken, and only the proposal is asked for', async () => {
    const chat = await startChat();
    await chat.say('姓名：邓晓梅 电话：15923456781 单位：万州区龙都街道社区卫生服务中心 主题：日常建议 标题：关于在社区推广家庭医生签约上门服务的建议');
    expect(chat.state).not.toBe('theme');
    expect(chat.state).not.toBe('title');
  });
});

describe('identity said with something else', () => {
  test('"杨树林 电话等我找一下哈" keeps the name and waits for the phone', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('杨树林 电话等我找一下哈');
    expect(chat.last).toContain('已先记下您的姓名');
    await chat.say('13912345678');
    await chat.say('退休');
    expect(chat.last).toContain('姓名：杨树林');
  });

  test('"我的名字会不会被公开哦 怕村里人说闲话" is answered and nothing is taken as the unit', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('刘洋');
    await chat.say('13912345678');
    await chat.say('我的名字会不会被公开哦 怕村里人说闲话');
    expect(chat.last).toContain('不会公开');
    expect(chat.last).not.toContain('已先记下您的工作单位');
    await chat.say('吴家镇某某村村民');
    expect(chat.last).toContain('工作单位：吴家镇某某村村民');
  });

  test('"吴静 18623451234 万州区某商场" takes all three', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('吴静 18623451234 万州区某商场');
    expect(chat.state).toBe('confirm');
  });
});

describe('putting the draft off to another time', () => {
  test('"算了 我先不提了 等我想好了再说" keeps the draft, and 继续 later goes on', async () => {
    const chat = await startChat();
    await walkTo(chat, 'category');
    await chat.say('算了 我先不提了 等我想好了再说');
    expect(chat.last).toContain('为您保存');
    expect(chat.last).not.toContain('确定要取消');
    await chat.say('继续');
    expect(chat.state).toBe('category');
  });

  test('at 确定要取消吗, "不要删嘛 我下回接着填" keeps the draft', async () => {
    const chat = await startChat();
    await walkTo(chat, 'category');
    await chat.say('取消');
    expect(chat.options).toContain('先保存，下次再填');
    await chat.say('不要删嘛 我下回接着填');
    expect(chat.last).toContain('为您保存');
    await chat.say('继续');
    expect(chat.state).toBe('category');
  });
});

describe('themes in the words people use', () => {
  test.each([['农村的', 'rural_revitalization'], ['哦 那要得 选2嘛', 'chengyu_economic_circle']])('"%s" at the theme menu', async (said, theme) => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say(said);
    expect(chat.state).toBe('title');
    await chat.say(good.title);
    await chat.say('解决问题');
    await finishFrom(chat);
    expect(chat.world.suggestions.stored[0]?.theme).toBe(theme);
  });
});

describe('after an emergency', () => {
  test('"打了119了 你们这边能不能也派人来" is told what this service cannot do, not sent to 12345', async () => {
    const chat = await startChat();
    await chat.say('我们村后山滑坡了 房子被埋了 有人在里面');
    expect(chat.last).toMatch(/119|110|120/);
    await chat.say('打了119了 你们这边能不能也派人来');
    expect(chat.last).toContain('没办法派人到现场');
    expect(chat.last).not.toContain('12345');
  });
});

describe('the example name', () => {
  test('"张三", the name forms use as their example, is asked again as no one\'s real name', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('张三');
    expect(chat.last).toMatch(/真实/);
    expect(chat.last).not.toContain('电话');
  });
});

describe('questions at a menu that are not about it', () => {
  test('"我想问下低保咋个申请" at the theme menu is referred, not given the theme help', async () => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say('我想问下低保咋个申请');
    expect(chat.last).not.toContain('主题决定建议交给哪些部门办理');
    expect(chat.last).toMatch(/12345|民政/);
    expect(chat.state).toBe('theme');
  });

  test('"可以打电话说不" at the theme menu gets whom to call', async () => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say('可以打电话说不');
    expect(chat.last).toContain('17723966166');
    expect(chat.state).toBe('theme');
  });

  test('"成渝那个是啥意思" is still about the menu', async () => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say('成渝那个是啥意思');
    expect(chat.last).toContain('成渝');
    expect(chat.last).not.toContain('17723966166');
  });
});

describe('after an emergency or a referral (a third independent tester)', () => {
  test('"打了119了 人都跑出来了" right after an emergency mid-draft is not stored as the title', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('楼下着火了 好大的烟');
    expect(chat.last).toContain('119');
    await chat.say('打了119了 人都跑出来了');
    expect(chat.last).toContain('没办法派人到现场');
    expect(chat.state).toBe('title');
    await chat.say(good.title);
    expect(chat.state).toBe('category');
  });

  test('"好的" after a referral is a polite close, not a new draft', async () => {
    const chat = await startChat();
    await chat.say('我们村支书贪污扶贫款 我要举报');
    await chat.say('好的');
    expect(chat.last).toContain('不客气');
    expect(chat.state).not.toBe('theme');
  });
});

describe('identity lines (a third independent tester)', () => {
  test('"宋伟 13765432198 万州区残疾人联合会" takes the unit too', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('宋伟 13765432198 万州区残疾人联合会');
    expect(chat.state).toBe('confirm');
  });

  test('"张 电话就不留了嘛 怕打扰" is no name', async () => {
    const chat = await startChat();
    await walkTo(chat, 'identity');
    await chat.say('张 电话就不留了嘛 怕打扰');
    expect(chat.last).not.toContain('姓名：张电话');
    expect(chat.state).toBe('identity');
  });
});

describe('taking a sentence out', () => {
  test('at the review, 那句“…”删了嘛 takes it out of the proposal and shows the summary again', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(`${good.proposal[0]}但是我不想留电话。${good.proposal[1]}`);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    expect(chat.state).toBe('confirm');
    await chat.say('内容里那句“但是我不想留电话”删了嘛');
    expect(chat.last).toContain('已删去“但是我不想留电话”');
    expect(chat.state).toBe('confirm');
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposal).not.toContain('不想留电话');
    expect(chat.world.suggestions.stored[0]?.proposal).toContain('加密到每10分钟一班');
  });
});

describe('remarks inside content (a fourth independent tester)', () => {
  test('"完成了 不用另外说了 …" at the start of a feasibility is not kept', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('完成了 不用另外说了 就是加班次 公交公司有两辆备用车 不花钱');
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.feasibility).toBe('加班次 公交公司有两辆备用车 不花钱');
  });

  test('a question and a worry after the content: the question answered, neither kept', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('公交公司有两辆备用车 不花钱 这个会不会公开我的名字哦 怕物业找我麻烦');
    expect(chat.last).toContain('不会公开');
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.feasibility).toBe('公交公司有两辆备用车 不花钱');
  });
});

describe('questions a fourth independent tester asked', () => {
  test('"相似的是哪条哦" at the review is told why not, and the review stands', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('相似的是哪条哦');
    expect(chat.last).toContain('为保护其他建议人的信息');
    expect(chat.state).toBe('confirm');
  });

  test('"我刚才那个建议咋样了" after submitting looks it up instead of starting a new one', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('确认');
    const ref = chat.lastTurn.reference!;
    await chat.say('我刚才那个建议咋样了');
    expect(chat.last).toContain(ref);
    expect(chat.state).not.toBe('theme');
  });
});

describe('someone about to write, at the theme menu (a fifth independent tester)', () => {
  test('"我想说下我们小区门口那个红绿灯的事" is not referred to 12345 as a complaint', async () => {
    const chat = await startChat();
    await walkTo(chat, 'theme');
    await chat.say('我想说下我们小区门口那个红绿灯的事');
    expect(chat.last).not.toContain('12345');
    expect(chat.state).toBe('theme');
  });
});

describe('content that mentions a danger', () => {
  test('a feasibility ending in 能减少火灾 gets the emergency numbers and is still kept', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('每栋楼装两个灭火器 一年几百块 着火了能马上扑灭 能减少火灾');
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.feasibility).toContain('每栋楼装两个灭火器');
  });
});
