import { describe, expect, test } from 'vitest';
import { defaultJudgement, MemorySessionStore } from '../../src/conversation/index.js';
import type { SessionStore } from '../../src/conversation/session-store.js';
import { good, startChat, walkTo } from '../helpers/conversation.js';

/** The real in-memory store, made to fail on demand like an unreachable Redis. */
class FlakySessionStore implements SessionStore {
  failGets = 0;
  failSets = 0;
  constructor(readonly inner: SessionStore) {}
  async get(id: string) {
    if (this.failGets > 0 && this.failGets--) throw new Error('ECONNREFUSED');
    return this.inner.get(id);
  }
  async set(id: string, s: unknown, ttl: number) {
    if (this.failSets > 0 && this.failSets--) throw new Error('ECONNREFUSED');
    return this.inner.set(id, s, ttl);
  }
  async delete(id: string) {
    return this.inner.delete(id);
  }
}

describe('a submission is stored exactly once', () => {
  test('a repeated 确认 stores nothing twice and repeats the reference', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('确认');
    await chat.say('确认');
    expect(chat.last).toContain('已经提交过了');
    expect(chat.last).toContain('WZ2021-000001');
    expect(chat.world.suggestions.stored).toHaveLength(1);
  });

  test('two 确认 arriving together store one suggestion', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    const [a, b] = await Promise.all([chat.say('确认'), chat.say('确认')]);
    expect(chat.world.suggestions.stored).toHaveLength(1);
    const texts = [...a.replies, ...b.replies].map((r) => r.text).join('\n');
    expect(texts).toContain('WZ2021-000001');
    expect(texts).not.toContain('WZ2021-000002');
  });

  test('when storage fails at confirm, the citizen is told it is being registered, and the next message registers it', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    chat.world.suggestions.failNext(1);
    await chat.say('确认');
    expect(chat.last).toContain('正在登记中');
    expect(chat.state).toBe('confirm');
    expect(chat.world.suggestions.stored).toHaveLength(0);
    const turn = await chat.say('好了吗');
    expect(turn.state).toBe('submitted');
    expect(turn.reference).toBe('WZ2021-000001');
    expect(chat.world.suggestions.stored).toHaveLength(1);
  });

  test('a submit whose answer was lost is retried with the same key and stores nothing new', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    chat.world.suggestions.failNext(1, { afterStoring: true });
    await chat.say('确认');
    expect(chat.last).toContain('正在登记中');
    const turn = await chat.say('确认');
    expect(turn.reference).toBe('WZ2021-000001');
    expect(chat.world.suggestions.stored).toHaveLength(1);
  });

  test('a draft begun again after submitting gets a new key', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    await chat.say('确认');
    chat.world.clock.advance(60_000);
    await walkTo(chat, 'confirm');
    await chat.say('确认');
    expect(chat.world.suggestions.stored.map((s) => s.reference)).toEqual(['WZ2021-000001', 'WZ2021-000002']);
    expect(new Set(chat.world.suggestions.stored.map((s) => s.submissionKey)).size).toBe(2);
  });
});

describe('platform retries and concurrent messages', () => {
  test('a retried message id is handled once: the retry gets no replies and changes nothing', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await chat.say(good.proposal[0], { messageId: 'msg-42' });
    const retry = await chat.say(good.proposal[0], { messageId: 'msg-42' });
    expect(retry.replies).toEqual([]);
    expect(retry.duplicate).toBe(true);
    expect(retry.state).toBe('proposal');
    await chat.say(good.proposal[1]);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    expect(chat.world.suggestions.stored[0]?.proposal).toBe(`${good.proposal[0]}\n${good.proposal[1]}`);
  });

  test('a retried 确认 does not submit twice', async () => {
    const chat = await startChat();
    await walkTo(chat, 'confirm');
    const [first, retry] = await Promise.all([chat.say('确认', { messageId: 'm-c' }), chat.say('确认', { messageId: 'm-c' })]);
    expect([first.duplicate, retry.duplicate].filter(Boolean)).toHaveLength(1);
    expect(chat.world.suggestions.stored).toHaveLength(1);
  });

  test('two messages from one sender arriving together are handled one after the other; neither is lost', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    await Promise.all([chat.say(good.proposal[0]), chat.say(good.proposal[1])]);
    await chat.say('完成');
    expect(chat.state).toBe('feasibility');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    await chat.say('确认');
    const proposal = chat.world.suggestions.stored[0]?.proposal ?? '';
    expect(proposal).toContain(good.proposal[0]);
    expect(proposal).toContain(good.proposal[1]);
  });

  test('different citizens do not share drafts', async () => {
    const alice = await startChat({ user: 'alice' });
    await walkTo(alice, 'proposal');
    const bob = alice.as('bob');
    await bob.say('我想提建议');
    expect(bob.state).toBe('theme');
    await alice.say('继续');
    expect(alice.state).toBe('proposal');
  });
});

describe('drafts persist between messages', () => {
  test('a draft survives a restart (a new service on the same store)', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    const again = chat.restart();
    await again.say(good.feasibility);
    await again.say('完成');
    expect(again.state).toBe('identity');
  });

  test('a citizen returning after a while is reminded of the draft and when it expires', async () => {
    const chat = await startChat({ now: '2021-07-01T10:00:00+08:00' });
    await walkTo(chat, 'proposal');
    chat.world.clock.advance(3 * 24 * 3600 * 1000);
    await chat.say('你好');
    expect(chat.last).toContain('未完成的建议草稿');
    expect(chat.last).toContain(good.title);
    expect(chat.last).toContain('2021年7月8日');
    expect(chat.options).toEqual(['继续填写', '重新开始']);
    await chat.say('继续');
    expect(chat.state).toBe('proposal');
    expect(chat.last).toContain('请写出建议内容');
  });

  test('an answer sent instead of replying to the reminder is not lost', async () => {
    const chat = await startChat();
    await walkTo(chat, 'feasibility');
    chat.world.clock.advance(24 * 3600 * 1000);
    await chat.say(good.feasibility);
    expect(chat.last).toContain('未完成的建议草稿');
    await chat.say(good.feasibility);
    expect(chat.last).toContain('已记录');
    await chat.say('完成');
    expect(chat.state).toBe('identity');
  });

  test('a draft older than draftTtlDays is gone: the citizen starts afresh', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    chat.world.clock.advance(8 * 24 * 3600 * 1000);
    await chat.say('我想提建议');
    expect(chat.state).toBe('theme');
    expect(chat.last).not.toContain('草稿');
  });

  test('a draft of an older flow version restarts politely instead of being misread', async () => {
    const chat = await startChat();
    await walkTo(chat, 'proposal');
    const key = 'dev:citizen-1';
    const stored = (await chat.world.sessions.get(key)) as { flowVersion: number };
    await chat.world.sessions.set(key, { ...stored, flowVersion: 0 }, 3600);
    await chat.say('我想提建议');
    expect(chat.last).toContain('系统已经更新');
    expect(chat.state).toBe('theme');
  });
});

describe('storage trouble is answered politely and loses nothing', () => {
  test('when the session store is down the citizen is asked to send again, and the resend is taken', async () => {
    const sessions = new FlakySessionStore(new MemorySessionStore());
    const chat = await startChat({ shared: { sessions } });
    await walkTo(chat, 'title');
    sessions.failGets = 1;
    await chat.say(good.title, { messageId: 'm-title' });
    expect(chat.last).toContain('系统繁忙');
    expect(chat.state).toBe('intake');
    // The same message id, resent, is processed (the failed attempt took no effect).
    await chat.say(good.title, { messageId: 'm-title' });
    expect(chat.state).toBe('category');
  });

  test('when saving fails nothing moves on', async () => {
    const sessions = new FlakySessionStore(new MemorySessionStore());
    const chat = await startChat({ shared: { sessions } });
    await walkTo(chat, 'confirm');
    sessions.failSets = 1;
    await chat.say('确认');
    expect(chat.last).toContain('系统繁忙');
    expect(chat.world.suggestions.stored).toHaveLength(0);
    await chat.say('确认');
    expect(chat.state).toBe('submitted');
    expect(chat.world.suggestions.stored).toHaveLength(1);
  });
});

describe('an unexpected failure is answered politely', () => {
  test('when judging throws, the citizen hears the system is busy and the resend is handled', async () => {
    let broken = true;
    const judge = {
      ...defaultJudgement,
      judgeScope: (t: string) => {
        if (broken) throw new Error('model file missing');
        return defaultJudgement.judgeScope(t);
      },
    };
    const chat = await startChat({ judge });
    await chat.say('我想提建议', { messageId: 'first' });
    expect(chat.last).toContain('系统繁忙');
    broken = false;
    await chat.say('我想提建议', { messageId: 'first' });
    expect(chat.state).toBe('theme');
  });
});

describe('inputs are guarded', () => {
  test('zero-width and control characters are stripped', async () => {
    const chat = await startChat();
    await walkTo(chat, 'title');
    await chat.say('关于\u200b在五桥\u0007增设\u200d公交\ufeff线路的建议');
    await chat.say('3');
    for (const p of good.proposal) await chat.say(p);
    await chat.say('完成');
    await chat.say(good.feasibility);
    await chat.say('完成');
    await chat.say(good.identity);
    expect(chat.last).toContain('标题：关于在五桥增设公交线路的建议');
  });

  test('a zero-width-padded command is still a command', async () => {
    const chat = await startChat();
    await walkTo(chat, 'category');
    await chat.say('\u200b返回\u200b');
    expect(chat.state).toBe('title');
  });

  test('a malformed sender id is a channel bug and is rejected', async () => {
    const chat = await startChat({ user: 'bad id with spaces' });
    await expect(chat.say('你好')).rejects.toThrow(/senderId/);
  });
});
