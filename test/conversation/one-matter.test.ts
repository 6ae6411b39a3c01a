/**
 * 一事一议, as dialogue: a text that holds two matters is not coached in the abstract ("please keep one") but
 * split: the citizen picks the one to go on with, in a number or in their own words, and is offered the
 * other as a new suggestion once the first is submitted. A citizen who says it is one matter is believed
 * (flagged for the office's screening) and not asked again.
 */
import { describe, expect, test } from 'vitest';
import { finishFrom, good, startChat, walkTo } from '../helpers/conversation.js';

const TWO_MATTERS = '建议万州多开几趟到重庆的动车，还有江南新区的夜市也要管一下太吵了';

describe('two matters in the first message', () => {
  test('the citizen is asked at once which to go on with, chooses in words, and is offered the other after submitting', async () => {
    const chat = await startChat();
    await chat.say(TWO_MATTERS);
    expect(chat.last).toContain('两件事');
    expect(chat.last).toContain('一事一议');
    expect(chat.options).toEqual(['建议万州多开几趟到重庆的动车', '江南新区的夜市也要管一下太吵了', '放在一条里']);

    await chat.say('那我先提动车那个，夜市的等哈再提');
    expect(chat.last).toContain('这一条先提：“建议万州多开几趟到重庆的动车”');
    expect(chat.state).toBe('theme');
    await chat.say('3');
    await chat.say('关于增开万州到重庆早晚动车班次的建议');
    await chat.say('解决问题');
    // The chosen matter is the proposal's start; the other one is nowhere in it.
    expect(chat.last).toContain('建议万州多开几趟到重庆的动车');
    expect(chat.last).not.toContain('夜市');
    await chat.say('现在万州北站到重庆西早上7点前没有车，建议早上6点半加开一趟，晚上9点以后也加一趟。');
    await chat.say('完成');
    await finishFrom(chat);

    expect(chat.state).toBe('submitted');
    const first = chat.world.suggestions.stored[0]!;
    expect(first.proposal).toContain('动车');
    expect(first.proposal).not.toContain('夜市');
    expect(chat.last).toContain('您刚才还提到：“江南新区的夜市也要管一下太吵了”');
    expect(chat.options).toEqual(['接着提这一件', '不用了']);

    // A person reads the offer before answering it.
    chat.world.clock.advance(60_000);
    await chat.say('接着提这一件');
    expect(chat.state).toBe('theme');
    await chat.say('3');
    await chat.say('关于规范江南新区夜市经营时间的建议');
    await chat.say('改进工作');
    expect(chat.last).toContain('江南新区的夜市也要管一下太吵了');
    await chat.say('江南新区夜市十点以后音响声音太大，建议规定晚上十点后不得外放音乐，城管每周巡查两次。');
    await chat.say('完成');
    await chat.say('城管现有人手可以排班，不需要新增经费。');
    await chat.say('完成');
    // The proposer's details of the first suggestion go on to the second: not asked again.
    expect(chat.state).toBe('confirm');
    await chat.say('确认');
    expect(chat.world.suggestions.stored[1]?.proposer.name).toBe(chat.world.suggestions.stored[0]?.proposer.name);
  });

  test('"不用了" after submitting ends it politely', async () => {
    const chat = await startChat();
    await chat.say(TWO_MATTERS);
    await chat.say('1');
    await chat.say('3');
    await chat.say('关于增开万州到重庆早晚动车班次的建议');
    await chat.say('解决问题');
    await chat.say('现在万州北站到重庆西早上7点前没有车，建议早上6点半加开一趟，晚上9点以后也加一趟。');
    await chat.say('完成');
    await finishFrom(chat);
    await chat.say('不用了');
    expect(chat.last).toContain('以后想提的时候');
    expect(chat.world.suggestions.stored).toHaveLength(1);
  });
});

describe('two matters written at the proposal step', () => {
  test('choosing the second by number keeps only it, then coaches it like any proposal', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我们村的公厕太少了建议修两个，另外村口的路灯坏了好久了建议换成太阳能的');
    await chat.say('完成');
    expect(chat.last).toContain('两件事');
    await chat.say('2');
    expect(chat.last).toContain('这一条先提：“村口的路灯坏了好久了建议换成太阳能的”');
    expect(chat.state).toBe('proposal');
    // A one-liner now: coached to add how, as any one-sentence proposal is.
    expect(chat.last).toContain('只有一句话');
  });

  test('"放在一条里" is believed: the draft goes on, flagged, and the split is not asked again', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我们村的公厕太少了建议修两个，另外村口的路灯坏了好久了建议换成太阳能的');
    await chat.say('完成');
    await chat.say('放在一条里');
    expect(chat.state).toBe('feasibility');
    await chat.say('返回');
    await chat.say('完成');
    expect(chat.last).not.toContain('两件事');
    expect(chat.state).toBe('feasibility');
    await finishFrom(chat);
    expect(chat.world.suggestions.stored[0]?.qualityFlags).toEqual(['multiple_matters']);
  });

  test('three matters are three choices', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('建议在五桥片区增设公交线路，同时建议把区图书馆开放时间延长到晚上十点，另外建议整治滨江路夜市噪音。');
    await chat.say('完成');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('3件事');
    expect(chat.options).toHaveLength(4);
    expect(chat.options.at(-1)).toBe('放在一条里');
  });

  test('a short reply naming neither is asked again; nothing is appended to the proposal', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我们村的公厕太少了建议修两个，另外村口的路灯坏了好久了建议换成太阳能的');
    await chat.say('完成');
    await chat.say('嗯嗯');
    expect(chat.last).toContain('请回复编号选一件先提');
    await chat.say('公厕那个');
    expect(chat.last).toContain('这一条先提：“我们村的公厕太少了建议修两个”');
  });
});

describe('two matters over several messages', () => {
  test('a later message goes with the matter it speaks of, and 完成 twice keeps them together instead of looping', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('建议增加万州到成都的动车班次，还有就是建议江南新区多开几个夜市。');
    await chat.say('现在每天只有两趟，建议增加到每天六趟，早上七点就有一趟。');
    await chat.say('完成');
    expect(chat.last).toContain('两件事');
    expect(chat.options[0]).toContain('动车');
    expect(chat.options[1]).not.toContain('每天只有两趟');
    await chat.say('完成');
    expect(chat.last).toContain('请回复编号选一件先提');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
  });
});

describe('choosing before being asked', () => {
  test('"那我先提动车那个，夜市的等哈再提" said while writing keeps the 动车 matter, not as a remark in the text', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('建议增加万州到成都的动车班次，还有就是建议江南新区多开几个夜市。');
    await chat.say('那我先提动车那个，夜市的等哈再提');
    expect(chat.last).toContain('这一条先提：“建议增加万州到成都的动车班次”');
    await chat.say('现在每天只有两趟，建议增加到每天六趟，早上七点就有一趟。');
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    await finishFrom(chat);
    const stored = chat.world.suggestions.stored[0]!;
    expect(stored.proposal).not.toContain('夜市');
    expect(stored.proposal).toContain('每天六趟');
    expect(chat.last).toContain('您刚才还提到：“建议江南新区多开几个夜市”');
  });
});

describe('a structured proposal', () => {
  test('sections and numbered measures are one suggestion, not five matters', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('一、现状。万州港集疏运体系不完善，铁路专用线尚未接入，货物多靠公路短驳，物流成本比宜昌高约15%。');
    await chat.say('二、建议。1.加快新田港铁路专用线建设；2.开通万州港至成都的铁水联运班列；3.设立港口物流园区，引进冷链、汽车整车物流企业。');
    await chat.say('完成');
    expect(chat.last).not.toContain('件事');
    expect(chat.state).toBe('feasibility');
  });
});
