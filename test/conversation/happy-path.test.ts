import { describe, expect, test } from 'vitest';
import { good, IN_CAMPAIGN, OUTSIDE_CAMPAIGN, startChat } from '../helpers/conversation.js';

describe('a citizen submits a suggestion from start to finish', () => {
  test('inside the 2021 campaign: two themes plus 日常建议, every step, the summary, the reference', async () => {
    const chat = await startChat({ now: IN_CAMPAIGN });

    await chat.say('我想提建议');
    expect(chat.state).toBe('theme');
    expect(chat.last).toContain('主题');
    expect(chat.options).toEqual(['乡村振兴', '成渝地区双城经济圈建设', '日常建议']);

    await chat.say('乡村振兴');
    expect(chat.state).toBe('title');
    expect(chat.last).toContain('标题');

    await chat.say(good.title);
    expect(chat.state).toBe('category');
    expect(chat.options).toEqual(['完善政策', '改进工作', '解决问题', '创新体制机制', '不确定']);

    await chat.say('3');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('解决问题类建议要提出思路举措');
    expect(chat.last).toContain('完成');

    await chat.say(good.proposal[0]);
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('已记录');
    await chat.say(good.proposal[1]);
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    expect(chat.last).toContain('完成');

    await chat.say(good.feasibility);
    await chat.say('完成');
    expect(chat.state).toBe('identity');
    expect(chat.last).toContain('姓名');

    await chat.say(good.identity);
    expect(chat.state).toBe('confirm');
    for (const line of ['主题：乡村振兴', `标题：${good.title}`, '类别：解决问题', '姓名：张志刚', '联系电话：13812345678', '工作单位：万州区某某公司']) {
      expect(chat.last).toContain(line);
    }
    expect(chat.options).toEqual(['确认提交', '修改', '取消']);

    const turn = await chat.say('确认');
    expect(turn.state).toBe('submitted');
    expect(turn.reference).toBe('WZ2021-000001');
    expect(chat.last).toContain('WZ2021-000001');
    expect(chat.last).toContain('查询 WZ2021-000001');

    const [stored] = chat.world.suggestions.stored;
    expect(stored).toMatchObject({
      campaign: 'wz2021',
      theme: 'rural_revitalization',
      category: 'problem',
      title: good.title,
      proposal: `${good.proposal[0]}\n${good.proposal[1]}`,
      feasibility: good.feasibility,
      proposer: { name: '张志刚', phone: '13812345678', unit: '万州区某某公司' },
      citizen: { channel: 'dev', id: 'citizen-1' },
    });
    expect(stored?.qualityFlags).toBeUndefined();
  });

  test('options may be answered by number, label or clicked id', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say('日常建议', { optionId: 'general' });
    expect(chat.state).toBe('title');
    await chat.say(good.title);
    await chat.say('不确定');
    expect(chat.state).toBe('proposal');
    expect(chat.last).not.toContain('类建议要');
  });

  test('outside the campaign window the suggestion is taken as 日常建议 without asking for a theme', async () => {
    const chat = await startChat({ now: OUTSIDE_CAMPAIGN });
    await chat.say('我想提建议');
    expect(chat.state).toBe('title');
    expect(chat.last).toContain('日常建议');
    await chat.say(good.title);
    await chat.say('解决问题');
    for (const part of good.proposal) await chat.say(part);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    expect(chat.last).toContain('主题：日常建议');
    const turn = await chat.say('确认提交');
    expect(turn.reference).toBe('WZ2022-000001');
    expect(chat.world.suggestions.stored[0]).toMatchObject({ campaign: 'general', theme: 'general' });
  });

  test('日常建议 chosen during the campaign is stored as a general suggestion', async () => {
    const chat = await startChat({ now: IN_CAMPAIGN });
    await chat.say('我想提建议');
    await chat.say('3');
    await chat.say(good.title);
    await chat.say('1');
    for (const part of good.proposal) await chat.say(part);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]).toMatchObject({ campaign: 'general', theme: 'general', category: 'policy' });
  });

  test('after submitting, the next message starts fresh', async () => {
    const chat = await startChat();
    await chat.say('我想提建议');
    await chat.say('1');
    await chat.say(good.title);
    await chat.say('3');
    for (const part of good.proposal) await chat.say(part);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    await chat.say('我想再提一条建议');
    expect(chat.state).toBe('theme');
  });
});
