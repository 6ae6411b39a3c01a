/**
 * Similar suggestions on the real suggestion service and the embedded MongoDB: the index is rebuilt from
 * the database on start, each new suggestion stores its links to earlier similar ones (`similarTo`), the
 * office sees them in the admin API, and a refresh picks up status changes and other workers' suggestions.
 */
import { createSubmission } from '../../src/handling/submission.js';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createSimilarSuggestions } from '../../src/suggestions/similar-suggestions.js';
import { createSuggestionModels, type SuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService, type SuggestionService } from '../../src/suggestions/suggestion-service.js';
import type { SuggestionSubmission } from '../../src/domain/suggestion-types.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { startAdminApp } from '../admin/helpers/admin-app.js';

const config = loadTestConfig();
const clock = fixedClock('2021-07-01T10:00:00+08:00');
let n = 0;

const submission = (title: string, proposal: string, user = 'citizen-1'): SuggestionSubmission => ({
  submissionKey: `similar-test-${++n}`,
  campaign: 'wz2021',
  theme: 'rural_revitalization',
  category: 'problem',
  title,
  proposal,
  feasibility: '可利用现有资源，投入不大，见效快。',
  proposer: { name: '张志刚', phone: '13812345678', unit: '万州区五桥街道' },
  citizen: { channel: 'dev', id: user },
});

const BUS = submission('关于五桥片区早晚高峰加密公交班次的建议', '五桥片区早晚高峰公交车太挤，建议早上7点到9点把五桥到江南新区的公交加密到每10分钟一班。');
const BUS_AGAIN = submission('建议五桥早晚高峰公交加密班次', '五桥到江南新区的公交早晚高峰挤不上车，建议高峰时段加密班次，每10分钟一班。', 'citizen-2');
const ORANGES = submission('关于建设产地冷链仓储点帮助果农卖橙子的建议', '建议在分水镇建设产地冷链仓储点，联合电商平台直播带货，帮助果农把玫瑰香橙卖上好价钱。');
const TOILETS = submission('关于在滨江路增设公共厕所的建议', '滨江路散步的人多但公厕少，建议每隔800米增设一座公共厕所，并标注在地图上。');

describe('similar suggestions on the embedded engine', () => {
  let mongo: TestMongo;
  let conn: Connection;
  let models: SuggestionModels;
  let service: SuggestionService;

  beforeAll(async () => {
    mongo = await startTestMongo();
    conn = await mongoose.createConnection(`${mongo.uri}similar`).asPromise();
    models = createSuggestionModels(conn);
    await models.Suggestion.init();
    service = createSuggestionService({ models, clock, config });
    // Stored before this process started (no similarity service yet).
    await service.submit(BUS);
    await service.submit(ORANGES);
  });
  afterAll(async () => {
    await conn.close();
    await mongo.close();
  });

  it('rebuilds its index from MongoDB on start', async () => {
    const similar = createSimilarSuggestions({ models, logger: silentLogger });
    expect(similar.query({ title: BUS_AGAIN.title, proposal: BUS_AGAIN.proposal })).toEqual([]);
    await similar.load();
    expect(similar.size).toBe(2);
    const found = similar.query({ title: BUS_AGAIN.title, proposal: BUS_AGAIN.proposal });
    expect(found.map((m) => m.reference)).toEqual(['WZ2021-000001']);
    expect(found[0]).toMatchObject({ title: BUS.title, status: 'submitted' });
  });

  it('stores the links to earlier similar suggestions on a new one, and indexes it', async () => {
    const similar = createSimilarSuggestions({ models, logger: silentLogger });
    await similar.load();
    const port = createSubmission({ suggestions: service, similar, logger: silentLogger });

    const again = await port.submit(BUS_AGAIN);
    expect(again).toEqual({ reference: 'WZ2021-000003', created: true });
    const doc = await service.getByReference('WZ2021-000003');
    expect(doc?.similarTo).toEqual([{ reference: 'WZ2021-000001', score: expect.any(Number) }]);
    expect((doc?.similarTo as Array<{ score: number }>)[0]!.score).toBeGreaterThanOrEqual(0.3);

    // An unrelated suggestion gets no links; a repeated confirm stores nothing new.
    const toilets = await port.submit(TOILETS);
    expect((await service.getByReference(toilets.reference))?.similarTo).toBeUndefined();
    expect(await port.submit(BUS_AGAIN)).toEqual({ reference: 'WZ2021-000003', created: false });
    expect(similar.size).toBe(4);
    expect(similar.query({ title: BUS.title, proposal: BUS.proposal }).map((m) => m.reference)).toContain('WZ2021-000003');

    // The submission port also answers the citizen's lookups.
    expect((await port.listForCitizen({ channel: 'dev', id: 'citizen-2' })).map((v) => v.reference)).toEqual(['WZ2021-000003']);
  });

  it('a refresh picks up status changes, suggestions stored by another worker, and drops withdrawn ones', async () => {
    const similar = createSimilarSuggestions({ models, logger: silentLogger });
    await similar.load();
    const before = similar.size;

    await models.Suggestion.updateOne({ reference: 'WZ2021-000001' }, { $set: { status: 'assigned' } });
    await models.Suggestion.updateOne({ reference: 'WZ2021-000002' }, { $set: { status: 'withdrawn' } });
    const OTHER = submission('关于滨江路夜间增设路灯的建议', '滨江路沿江步道晚上太暗，建议把路灯更换为LED灯，并增加监控，让散步的市民更安全。', 'citizen-3');
    const other = await service.submit(OTHER);

    expect(await similar.refresh()).toBeGreaterThanOrEqual(3);
    expect(similar.size).toBe(before); // one added, one withdrawn
    const found = similar.query({ title: BUS_AGAIN.title, proposal: BUS_AGAIN.proposal });
    expect(found.find((m) => m.reference === 'WZ2021-000001')?.status).toBe('assigned');
    expect(similar.query({ title: OTHER.title, proposal: OTHER.proposal }).map((m) => m.reference)).toEqual([other.reference]);
    expect(similar.query({ title: ORANGES.title, proposal: ORANGES.proposal })).toEqual([]);
  });
});

describe('the office sees the links in the admin API', () => {
  it('GET /api/suggestions/:reference returns similarTo', async () => {
    const app = await startAdminApp();
    try {
      const similar = createSimilarSuggestions({ models: app.models, logger: silentLogger });
      await similar.load();
      const port = createSubmission({ suggestions: app.suggestions, similar, logger: silentLogger });
      const first = await port.submit(BUS);
      const second = await port.submit(BUS_AGAIN);
      const res = await app.http.inject({ url: `/api/suggestions/${second.reference}`, headers: app.auth() });
      expect(res.statusCode).toBe(200);
      expect(res.json().similarTo).toEqual([{ reference: first.reference, score: expect.any(Number) }]);
      const firstRes = await app.http.inject({ url: `/api/suggestions/${first.reference}`, headers: app.auth() });
      expect(firstRes.json().similarTo).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
