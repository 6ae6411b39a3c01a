/**
 * At a long step (proposal, feasibility) a sentence is content, a question, "that's all", or an aside:
 * what an independent tester found dropped or stored wrongly, as dialogue.
 */
import { describe, expect, test } from 'vitest';
import { good, startChat, walkTo } from '../helpers/conversation.js';

describe('short content at the feasibility step is kept', () => {
  test.each([['村民都同意了'], ['成本不高就行了'], ['大家出力就行了']])('"%s" is recorded; asked for more, the citizen may insist', async (text) => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say(text);
    expect(chat.last).toMatch(/已记录/);
    await chat.say('完成');
    expect(chat.last).toContain('请多写几句');
    expect(chat.options).toContain('坚持按现在的内容提交');
    await chat.say('坚持按现在的内容提交');
    expect(chat.state).toBe('identity');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.feasibility).toBe(text);
  });

  test('"我觉得差不多就这样" after the content ends the step', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say(good.feasibility);
    await chat.say('我觉得差不多就这样');
    expect(chat.state).toBe('identity');
  });
});

describe('a question typed at the proposal step is answered, not stored', () => {
  test('"我想问一下，为啥子只能提一件" gets the step explained and nothing recorded', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say('我想问一下，为啥子只能提一件');
    expect(chat.last).not.toMatch(/已记录/);
    expect(chat.state).toBe('proposal');
  });
});

describe('a sentence that may be an aside is asked about, never dropped or stored unasked', () => {
  test('"你们看着办嘛" is surely an aside: not stored, the step goes on', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say(good.feasibility);
    await chat.say('你们看着办嘛');
    expect(chat.state).toBe('feasibility');
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.feasibility).toBe(good.feasibility);
  });

  test('"反正可以": asked, and 不用记 keeps it out', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say(good.feasibility);
    await chat.say('反正可以');
    expect(chat.last).toContain('这句要记入可行性吗');
    expect(chat.options).toEqual(['记入', '不用记']);
    await chat.say('不用记');
    expect(chat.last).toContain('这句不记入');
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.feasibility).not.toContain('反正可以');
  });

  test('and 记入 adds it to the step', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    await chat.say('反正可以');
    await chat.say('记入');
    expect(chat.last).toMatch(/已记录/);
  });
});
