import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MemorySessionStore } from '../../src/conversation/memory-session-store.js';
import { fixedClock } from '../../src/infra/clock.js';
import { MemoryLockService } from '../../src/infra/locks.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { Connection } from 'mongoose';
import type { Clock } from '../../src/infra/clock.js';
import type { AppConfig } from '../../src/infra/config.js';
import { createHandlingConversation } from '../../src/conversation/handling-conversation.js';
import { createDeadlineScheduler, createHandlingService, createSubmission } from '../../src/handling/index.js';
import { buildNotifications } from '../../src/notifications/index.js';
import type { SuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService } from '../../src/suggestions/suggestion-service.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { handlingConfig, submission } from './handling-world.js';

let mongo: TestMongo;

/** The handling part as src/main.ts wires it without WeCom (the dev chat). */
function buildPart(d: { config: AppConfig; connection: Connection; models: SuggestionModels; clock: Clock }) {
  const { config, connection, models, clock } = d;
  const sessions = new MemorySessionStore();
  const handling = createHandlingService({ models, clock, config });
  const deadlines = createDeadlineScheduler({ handling, models, clock, locks: new MemoryLockService(), logger: silentLogger, config });
  const { dispatcher, notices } = buildNotifications({ config, connection, models, clock, logger: silentLogger, markers: sessions, robotKey: handling.directory.robotKey, workerId: 'dev' });
  const handlingChat = createHandlingConversation({ handling, sessions, notices, logger: silentLogger });
  return { handling, deadlines, dispatcher, handlingChat, stop: () => Promise.all([dispatcher.stop(), deadlines.stop()]) };
}
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.close();
});

test('without WeCom (dev chat): the citizen still hears back on their next message; unit cards wait for a WeCom worker', async () => {
  const conn = mongoose.createConnection(`${mongo.uri.replace(/\/$/, '')}/build1`);
  await conn.asPromise();
  const models = createSuggestionModels(conn);
  const clock = fixedClock('2021-07-01T10:00:00+08:00');
  const config = handlingConfig();
  const part = buildPart({ config, connection: conn, models, clock });
  const suggestions = createSubmission({ suggestions: createSuggestionService({ models, clock, config }), handling: part.handling, logger: silentLogger });
  const chat = part.handlingChat.wrap({ handle: async (m) => ({ replies: [{ text: `收到：${m.text}` }], state: 'echo' }) });

  const { reference } = await suggestions.submit(submission({ citizen: { channel: 'dev', id: 'u9' } }));
  await part.handling.accept(reference, { unit: 'fgw', by: { kind: 'office', id: 'admin' } });
  expect(await part.dispatcher.runOnce()).toMatchObject({ delivered: 1 });

  const r = await chat.handle({ channel: 'dev', senderId: 'u9', messageId: randomUUID(), text: '查询', role: 'citizen', receivedAt: clock.now() });
  expect(r.replies.map((x) => x.text)).toEqual([`您的建议 ${reference} 已由区发展改革委受理，办理后会在这里告知您结果。`, '收到：查询']);
  const doc = (await models.Suggestion.findOne({ reference }).lean())!;
  expect(doc.outbox.map((e) => [e.kind, e.state])).toEqual([
    ['unit_card', 'pending'],
    ['robot_markdown', 'pending'],
    ['citizen_notice', 'delivered'],
  ]);
  await part.stop();
  await conn.close();
});

test('routed in the same write as the insert: the stored suggestion is what routing after the insert produces, and routing again changes nothing', async () => {
  const conn = mongoose.createConnection(`${mongo.uri.replace(/\/$/, '')}/build2`);
  await conn.asPromise();
  const models = createSuggestionModels(conn);
  const clock = fixedClock('2021-07-01T10:00:00+08:00');
  const config = handlingConfig();
  const part = buildPart({ config, connection: conn, models, clock });
  const service = createSuggestionService({ models, clock, config });
  const atCreation = createSubmission({ suggestions: service, handling: part.handling, logger: silentLogger });
  // The same steps when routing cannot be written with the insert: routed right after it.
  const afterwards = createSubmission({ suggestions: service, handling: { route: (r) => part.handling.route(r), routingAtCreation: () => undefined }, logger: silentLogger });

  const one = await atCreation.submit(submission({ citizen: { channel: 'dev', id: 'u1' } }));
  const two = await afterwards.submit(submission({ citizen: { channel: 'dev', id: 'u2' } }));
  expect(one).toMatchObject({ created: true, routed: true });
  expect(two.routed).toBeUndefined();
  const shape = async (reference: string) => {
    const d = (await models.Suggestion.findOne({ reference }).lean())!;
    return {
      status: d.status,
      rev: d.rev,
      units: d.assignments.map((a) => [a.unit, a.active]),
      history: d.history.map((h) => [h.action, h.to, h.note]),
      outbox: d.outbox.map((e) => [e.kind, e.state]),
      routing: [d.routing?.units, d.routing?.ruleId, d.routing?.needsScreening],
    };
  };
  expect(await shape(one.reference)).toEqual(await shape(two.reference));
  expect((await shape(one.reference)).status).toBe('assigned');
  expect(await part.handling.route(one.reference)).toMatchObject({ ok: false, code: 'already_done' });

  // A city-level suggestion goes to the office's screening: stored that way at once, too.
  const city = await atCreation.submit(submission({ citizen: { channel: 'dev', id: 'u3' }, level: 'city' }));
  const cityAfterwards = await afterwards.submit(submission({ citizen: { channel: 'dev', id: 'u4' }, level: 'city' }));
  expect(city).toMatchObject({ created: true, routed: true });
  expect(await shape(city.reference)).toEqual(await shape(cityAfterwards.reference));
  expect(await shape(city.reference)).toMatchObject({ status: 'submitted', routing: [['fgw'], 'chengyu', true] });
  await part.stop();
  await conn.close();
});
