/**
 * Issue 15: a suggestion stored with a flag (a quality problem the citizen insisted past, or an uncertain
 * scope) is held for the office's screening in the same write, never assigned to units automatically.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixedClock } from '../../src/infra/clock.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createHandlingService, createSubmission } from '../../src/handling/index.js';
import { createSuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService } from '../../src/suggestions/suggestion-service.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { handlingConfig, submission } from './handling-world.js';

let mongo: TestMongo;
beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await mongo.close();
});

test('flagged suggestions wait for the office with the flag stored; the same one without a flag is assigned', async () => {
  const conn = mongoose.createConnection(`${mongo.uri.replace(/\/$/, '')}/flagged1`);
  await conn.asPromise();
  const models = createSuggestionModels(conn);
  const clock = fixedClock('2021-07-01T10:00:00+08:00');
  const config = handlingConfig();
  const handling = createHandlingService({ models, clock, config });
  const suggestions = createSubmission({ suggestions: createSuggestionService({ models, clock, config }), handling, logger: silentLogger });

  const plain = await suggestions.submit(submission({ citizen: { channel: 'dev', id: 'p1' } }));
  const scope = await suggestions.submit(submission({ citizen: { channel: 'dev', id: 'p2' }, qualityFlags: ['scope_uncertain'] }));
  const slogan = await suggestions.submit(submission({ citizen: { channel: 'dev', id: 'p3' }, qualityFlags: ['vague'] }));

  const load = async (reference: string) => (await models.Suggestion.findOne({ reference }).lean())!;
  expect((await load(plain.reference)).status).toBe('assigned');
  for (const { reference } of [scope, slogan]) {
    const d = await load(reference);
    expect(d.status).toBe('submitted');
    expect(d.assignments).toEqual([]);
    expect(d.routing).toMatchObject({ needsScreening: true, screeningReason: 'flagged' });
  }
  expect((await load(scope.reference)).qualityFlags).toEqual(['scope_uncertain']);
  expect((await load(slogan.reference)).qualityFlags).toEqual(['vague']);
  await conn.close();
});
