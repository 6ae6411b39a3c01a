/**
 * The office's actions refuse a concurrent change of the suggestion with 409 (the office reloads and sees
 * it), but not the dispatcher's bookkeeping: a unit card being claimed or recorded as delivered is not a
 * change the office decided on, and cards go out exactly when the office is looking at a new suggestion.
 * The interleaving is made deterministic with a mongoose hook that runs "someone else's" write just before
 * the office's update.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADMIN_TOKEN, startAdminApp, type AdminApp } from './helpers/admin-app.js';

let meanwhile: (() => Promise<void>) | undefined;
// Registered before the app compiles its models, so the suggestion model runs it.
mongoose.plugin((schema) => {
  schema.pre('findOneAndUpdate', async function () {
    const run = meanwhile;
    meanwhile = undefined;
    await run?.();
  });
});

let app: AdminApp;
beforeAll(async () => {
  app = await startAdminApp();
}, 30_000);
afterAll(async () => {
  await app?.close();
});

const markValuable = (ref: string, valuable: boolean) =>
  app.http.inject({ method: 'POST', url: `/api/suggestions/${ref}/valuable`, payload: { valuable }, headers: app.auth(ADMIN_TOKEN) });

test('a unit card recorded as delivered meanwhile does not refuse the office; a unit accepting meanwhile does', async () => {
  const ref = await app.submit({ title: '关于在五桥片区增设公交线路的建议' });
  await app.handling.assign(ref, { units: ['fgw'], by: { kind: 'office', id: 'test' } });

  // The dispatcher records the card delivered (the whole entry written back, as it does) while the office
  // marks the suggestion valuable.
  meanwhile = async () => {
    const doc = (await app.models.Suggestion.findOne({ reference: ref }).lean())!;
    const card = doc.outbox.find((e) => e.kind === 'unit_card')!;
    await app.models.Suggestion.collection.updateOne(
      { reference: ref },
      { $set: { 'outbox.$[e]': { ...card, state: 'delivered', deliveredAt: new Date() }, updatedAt: new Date() } },
      { arrayFilters: [{ 'e.id': card.id }] },
    );
  };
  const marked = await markValuable(ref, true);
  expect(marked.statusCode).toBe(200);
  expect(marked.json()).toMatchObject({ valuable: true });

  // The unit accepts while the office unmarks it: the office must look again.
  meanwhile = async () => {
    expect((await app.handling.accept(ref, { unit: 'fgw', by: { kind: 'office', id: 'test' } })).ok).toBe(true);
  };
  const refused = await markValuable(ref, false);
  expect(refused.statusCode).toBe(409);
  const doc = (await app.models.Suggestion.findOne({ reference: ref }).lean())!;
  expect(doc).toMatchObject({ status: 'accepted', valuable: true });
});
