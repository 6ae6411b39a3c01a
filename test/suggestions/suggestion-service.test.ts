import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { createSuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService, type SuggestionService } from '../../src/suggestions/suggestion-service.js';
import type { SuggestionSubmission } from '../../src/domain/suggestion-types.js';
import { startTestMongo } from '../helpers/embedded-mongo.js';

const config = loadTestConfig();
const clock = fixedClock('2021-07-01T10:00:00+08:00');

const submission = (over: Partial<SuggestionSubmission> = {}): SuggestionSubmission => ({
  submissionKey: `key-${Math.random()}`,
  campaign: 'wz2021',
  theme: 'rural_revitalization',
  category: 'problem',
  title: '在五桥片区增设农产品直销点',
  proposal: '建议在五桥街道农贸市场旁设立农产品直销点，由村集体合作社轮流值守，减少中间环节，让农户增收。',
  feasibility: '街道已有闲置门面，可由供销社牵头，预计投入5万元。',
  proposer: { name: '张志刚', phone: '13812345678', unit: '万州区五桥街道' },
  citizen: { channel: 'dev', id: 'citizen-1' },
  ...over,
});

describe('suggestion service on the embedded engine', () => {
  let mongo: Awaited<ReturnType<typeof startTestMongo>>;
  let conn: Connection;
  let service: SuggestionService;

  beforeAll(async () => {
    mongo = await startTestMongo();
    conn = await mongoose.createConnection(mongo.uri).asPromise();
    const models = createSuggestionModels(conn);
    await models.Suggestion.init();
    service = createSuggestionService({ models, clock, config });
  });
  afterAll(async () => {
    await conn.close();
    await mongo.close();
  });

  it('numbers suggestions sequentially per year and stores every field with a history entry', async () => {
    const first = await service.submit(submission());
    const second = await service.submit(submission());
    expect(first).toEqual({ reference: 'WZ2021-000001', created: true });
    expect(second).toEqual({ reference: 'WZ2021-000002', created: true });

    const doc = await service.getByReference('WZ2021-000001');
    expect(doc).toMatchObject({
      reference: 'WZ2021-000001',
      campaign: 'wz2021',
      theme: 'rural_revitalization',
      themeName: '乡村振兴',
      category: 'problem',
      status: 'submitted',
      level: 'district',
      proposer: { name: '张志刚', phone: '13812345678', unit: '万州区五桥街道' },
      citizen: { channel: 'dev', id: 'citizen-1' },
      history: [{ action: 'submit', to: 'submitted', actor: 'citizen:dev:citizen-1' }],
    });
    expect(doc?.submittedAt).toEqual(new Date('2021-07-01T02:00:00.000Z'));
  });

  it('stores a repeated submission key once and returns the first reference', async () => {
    const s = submission({ submissionKey: 'same-confirm' });
    const a = await service.submit(s);
    const b = await service.submit(s);
    const [c, d] = await Promise.all([service.submit(s), service.submit(s)]);
    expect(a.created).toBe(true);
    for (const r of [b, c, d]) expect(r).toEqual({ reference: a.reference, created: false });
    const { total } = await service.list({ text: '直销点', page: 1, pageSize: 50 });
    const stored = await conn.collection('suggestions').countDocuments({ submissionKey: 'same-confirm' });
    expect(stored).toBe(1);
    expect(total).toBeGreaterThanOrEqual(1);
  });

  it('lets a citizen see only their own suggestions', async () => {
    const mine = await service.submit(submission({ citizen: { channel: 'dev', id: 'owner' } }));
    expect(await service.findForCitizen(mine.reference, { channel: 'dev', id: 'owner' })).toMatchObject({
      reference: mine.reference,
      status: 'submitted',
      units: [],
    });
    expect(await service.findForCitizen(mine.reference, { channel: 'dev', id: 'someone-else' })).toBeNull();
    expect(await service.findForCitizen(mine.reference, { channel: 'wecom-kf', id: 'owner' })).toBeNull();
    const list = await service.listForCitizen({ channel: 'dev', id: 'owner' });
    expect(list.map((v) => v.reference)).toEqual([mine.reference]);
  });

  it('shows the citizen the latest answer and only the units still handling it', async () => {
    const { reference } = await service.submit(submission({ citizen: { channel: 'dev', id: 'twice' } }));
    const at = (d: string) => new Date(d);
    await conn.collection('suggestions').updateOne(
      { reference },
      {
        $set: {
          status: 'answered',
          assignments: [
            { unit: 'fgw', assignedAt: at('2021-07-02'), active: false, answer: { outcome: 'not_adopted', text: '第一次答复', at: at('2021-07-10') } },
            { unit: 'nyncw', assignedAt: at('2021-07-12'), active: true, answer: { outcome: 'adopted', text: '复核后采纳', at: at('2021-07-20') } },
          ],
        },
      },
    );
    const view = await service.findForCitizen(reference, { channel: 'dev', id: 'twice' });
    expect(view).toMatchObject({ status: 'answered', units: ['区农业农村委'], answer: { text: '复核后采纳', unit: '区农业农村委' } });
  });

  it('starts a new sequence in a new year (Beijing time)', async () => {
    clock.set('2021-12-31T23:30:00+08:00');
    const late = await service.submit(submission());
    clock.set('2022-01-01T00:10:00+08:00');
    const next = await service.submit(submission());
    expect(late.reference.startsWith('WZ2021-')).toBe(true);
    expect(next.reference).toBe('WZ2022-000001');
    clock.set('2021-07-01T10:00:00+08:00');
  });

  it('filters the admin list by status, theme and literal text', async () => {
    await service.submit(submission({ theme: 'chengyu_economic_circle', title: '开通万州至成都的直达动车(试点)', proposal: '建议增开万州北至成都东的早晚直达动车，方便商务往来（试点.*）。' }));
    const byTheme = await service.list({ theme: 'chengyu_economic_circle', page: 1, pageSize: 10 });
    expect(byTheme.items.map((i) => i.themeName)).toEqual(['成渝地区双城经济圈建设']);
    // Regex metacharacters are matched literally, never as a pattern.
    const literal = await service.list({ text: '（试点.*）', page: 1, pageSize: 10 });
    expect(literal.total).toBe(1);
    const none = await service.list({ text: '.+?', page: 1, pageSize: 10 });
    expect(none.total).toBe(0);
    const submitted = await service.list({ status: 'submitted', page: 1, pageSize: 2 });
    expect(submitted.items).toHaveLength(2);
    expect(submitted.total).toBeGreaterThan(2);
  });
});
