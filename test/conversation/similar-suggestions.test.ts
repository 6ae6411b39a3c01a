/**
 * Transcripts of issue 7: before confirming, the bot shows existing suggestions like the draft (reference,
 * title, status), and the citizen can still submit. Real conversation service, real suggestion service on
 * the embedded MongoDB, real similarity service; in-memory sessions, locks and dedupe.
 */
import { createSubmission } from '../../src/handling/submission.js';
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HandledTurn } from '../../src/conversation/index.js';
import type { ConversationDeps } from '../../src/conversation/turn.js';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createSimilarSuggestions, type SimilarSuggestions } from '../../src/suggestions/similar-suggestions.js';
import { createSuggestionModels, type SuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService, type SuggestionService } from '../../src/suggestions/suggestion-service.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { good, IN_CAMPAIGN, memoryConversation } from '../helpers/conversation.js';

const config = loadTestConfig();
const clock = fixedClock(IN_CAMPAIGN);

/** A citizen chatting with a conversation service built with (or without) the similarity lookup. */
function chat(user: string, suggestions: ConversationDeps['suggestions'], similar?: ConversationDeps['similar']) {
  const service = memoryConversation({
    config,
    clock,
    suggestions,
    ...(similar ? { similar } : {}),
  });
  let last: HandledTurn = { replies: [], state: 'intake' };
  return {
    async say(text: string) {
      last = await service.handle({ channel: 'dev', senderId: user, messageId: randomUUID(), text, receivedAt: clock.now() });
      return last;
    },
    get replies() {
      return last.replies.map((r) => r.text);
    },
    get state() {
      return last.state;
    },
    /** From 我想提建议 to the summary, with the given title and good answers elsewhere. */
    async walkToConfirm(title: string, proposal: readonly string[]) {
      for (const m of ['我想提建议', '1', title, '解决问题', ...proposal, '完成', good.feasibility, '完成', good.identity]) await this.say(m);
      expect(this.state).toBe('confirm');
    },
  };
}

describe('similar suggestions before confirming', () => {
  let mongo: TestMongo;
  let conn: Connection;
  let models: SuggestionModels;
  let service: SuggestionService;
  let similar: SimilarSuggestions;

  beforeAll(async () => {
    mongo = await startTestMongo();
    conn = await mongoose.createConnection(`${mongo.uri}similar_chat`).asPromise();
    models = createSuggestionModels(conn);
    await models.Suggestion.init();
    service = createSuggestionService({ models, clock, config });
    similar = createSimilarSuggestions({ models, logger: silentLogger });
    await similar.load();
  });
  afterAll(async () => {
    await conn.close();
    await mongo.close();
  });

  it('shows an earlier similar suggestion after the summary, and the citizen still submits', async () => {
    const port = createSubmission({ suggestions: service, similar, logger: silentLogger });
    // An earlier citizen's suggestion on the same matter, already handed to a unit.
    const first = chat('citizen-a', port, similar);
    await first.walkToConfirm(good.title, good.proposal);
    expect(first.replies.join('\n')).not.toContain('相似的建议');
    await first.say('确认');
    expect(first.state).toBe('submitted');
    await models.Suggestion.updateOne({ reference: 'WZ2021-000001' }, { $set: { status: 'assigned' } });
    await similar.refresh();

    const second = chat('citizen-b', port, similar);
    await second.walkToConfirm('建议五桥片区早晚高峰增加公交班次', [
      '五桥到江南新区的公交早晚高峰太挤，学生和上班族经常挤不上车。',
      '建议早晚高峰把班次加密到10分钟一班，在五桥中学站增设候车亭。',
    ]);
    const [summary, notice] = second.replies.slice(-2);
    expect(summary).toContain('标题：建议五桥片区早晚高峰增加公交班次');
    // That one exists, not whose it is: no other citizen's reference, title or progress.
    expect(notice).toBe(['已有1条相似的建议。', '您仍可确认提交；如果您的建议有不同之处，也可以回复“修改”补充后再提交。'].join('\n'));
    expect(notice).not.toContain('WZ2021-000001');
    expect(notice).not.toContain(good.title);

    await second.say('确认');
    expect(second.state).toBe('submitted');
    expect(second.replies.join('\n')).toContain('WZ2021-000002');
    const doc = await service.getByReference('WZ2021-000002');
    expect(doc?.similarTo).toEqual([{ reference: 'WZ2021-000001', score: expect.any(Number) }]);
  });

  it('an unrelated suggestion that shares a few words is not announced to the citizen (four independent testers)', async () => {
    const port = createSubmission({ suggestions: service, similar, logger: silentLogger });
    await similar.refresh();
    const other = chat('citizen-e', port, similar);
    await other.walkToConfirm('关于区图书馆延长开放时间的建议', [
      '区图书馆晚上六点就关门，上班族下班后根本去不了，周末人又多得坐不下。',
      '建议工作日开放到晚上九点，周末增设自习座位，由志愿者协助值班。',
    ]);
    expect(other.replies.join('\n')).not.toContain('相似的建议');
  });

  it('without the similarity lookup, or when it fails, the summary is shown alone and submitting works', async () => {
    const port = createSubmission({ suggestions: service, similar, logger: silentLogger });
    const plain = chat('citizen-c', port);
    await plain.walkToConfirm(good.title, good.proposal);
    expect(plain.replies.at(-1)).toContain('标题：');
    expect(plain.replies.join('\n')).not.toContain('相似的建议');

    const broken = chat('citizen-d', port, { query: () => Promise.reject(new Error('index unavailable')) });
    await broken.walkToConfirm(good.title, good.proposal);
    expect(broken.replies.at(-1)).toContain('标题：');
    expect(broken.replies.join('\n')).not.toContain('相似的建议');
    await broken.say('确认');
    expect(broken.state).toBe('submitted');
  });
});

