/**
 * Issue 15 in dialogue: emergencies at any step with the draft kept, a written draft judged again
 * before it is accepted (also after 提建议), and flags that hold a suggestion for the office's screening.
 */
import { describe, expect, test } from 'vitest';
import { defaultJudgement, type Judgement } from '../../src/conversation/index.js';
import { good, startChat, walkTo } from '../helpers/conversation.js';

describe('an emergency gets the emergency numbers at once, at any step, and the draft is kept', () => {
  test('as the first message: one line with 110/119/120/122, no question', async () => {
    const chat = await startChat();
    await chat.say('路塌了，快派人！有个车子差点掉下去');
    expect(chat.last).toMatch(/110.*119.*120.*122/u);
    expect(chat.options).toEqual([]);
    expect(chat.last).not.toContain('您是想提建议');
  });

  test('in the middle of a draft: the numbers first, then the draft goes on where it was', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('救命，山体滑坡了，我们村的路被埋了');
    expect(chat.last).toMatch(/110.*119.*120.*122/u);
    expect(chat.last).toContain('草稿仍保留');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    expect(chat.state).toBe('identity');
  });
});

describe('a written draft is judged again: petitions and accusations never reach a unit', () => {
  test('an accusation against a named person gets 12388, even after 提建议, and nothing is stored', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('建议纪委好好查一下甘宁镇某某村的会计，他贪了好多低保的钱，村里人都晓得。');
    await chat.say('完成');
    expect(chat.last).toContain('12388');
    expect(chat.state).toBe('proposal');
    await chat.say('提建议');
    expect(chat.last).toContain('12388');
    expect(chat.last).toContain('草稿仍保留');
    expect(chat.world.suggestions.stored).toHaveLength(0);
  });

  test('建议给我家评贫困户 as the first message is referred to 信访, not asked about', async () => {
    const chat = await startChat();
    await chat.say('建议给我家评贫困户');
    expect(chat.last).toContain('信访');
    expect(chat.last).not.toContain('您是想提建议');
  });
});

describe('反映个人诉求 is referred by what the message was taken for', () => {
  test('a public matter taken for a complaint goes to 12345, not to 信访', async () => {
    const chat = await startChat();
    await chat.say('我们村的路什么时候修');
    expect(chat.last).toBe('您是想提建议，还是反映个人诉求？');
    await chat.say('反映个人诉求');
    expect(chat.last).toContain('12345');
    expect(chat.state).toBe('out_of_scope');
  });
});

describe('flags the office sees: the suggestion is stored but held for screening', () => {
  const unsure = '我们楼下那家餐馆的油烟太大了，建议环保部门让他家装油烟净化器，晚上十点后不准再开炉。';
  const judge: Judgement = {
    ...defaultJudgement,
    judgeScope: (t) => (t === unsure ? { kind: 'unsure', candidates: ['complaint'], confidence: 0.4 } : defaultJudgement.judgeScope(t)),
  };

  test('an uncertain draft the citizen calls a suggestion is stored with the scope_uncertain flag', async () => {
    const chat = await startChat({ judge });
    await walkTo(chat, 'proposal');
    await chat.say(unsure);
    await chat.say('完成');
    expect(chat.last).toContain('您是想提建议，还是反映个人诉求？');
    await chat.say('提建议');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.qualityFlags).toEqual(['scope_uncertain']);
  });

  test('a draft judged a complaint about a shared matter is referred first; if the citizen calls it a suggestion it goes to screening, flagged', async () => {
    const text = '城区好多路口晚上没有路灯，请有关部门尽快在白岩路、太白路的路口各装两盏路灯。';
    const complaintJudge: Judgement = {
      ...defaultJudgement,
      judgeScope: (t) => (t === text ? { kind: 'out_of_scope', category: 'complaint', confidence: 0.9 } : defaultJudgement.judgeScope(t)),
    };
    const chat = await startChat({ judge: complaintJudge });
    await walkTo(chat, 'proposal');
    await chat.say(text);
    await chat.say('完成');
    expect(chat.last).toContain('12345');
    expect(chat.options).toEqual(['提建议', '反映个人诉求']);
    await chat.say('提建议');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.qualityFlags).toEqual(['scope_uncertain']);
  });

  test('a one-liner the citizen insists on is stored with its quality flag', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('多修点公厕');
    await chat.say('完成');
    expect(chat.last).toContain('只有一句话');
    expect(chat.options).toContain('坚持按现在的内容提交');
    await chat.say('坚持按现在的内容提交');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.qualityFlags).toEqual(['one_sentence']);
  });

  test("a slogan is coached with an example from the citizen's own field, and if insisted on it carries the vague flag", async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('乡村振兴要抓好产业');
    await chat.say('完成');
    expect(chat.last).toContain('大、空、虚');
    expect(chat.last).toContain('例如：“镇上脆李丰收时卖不上价');
    await chat.say('坚持按现在的内容提交');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.qualityFlags).toEqual(['vague']);
  });
});
