import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { appTextsTo, cardsTo, startWorld, type World } from '../handling/handling-world.js';

let mongo: TestMongo;
let fake: FakeWeCom;
let w: World;

beforeAll(async () => {
  mongo = await startTestMongo();
  fake = await startFakeWeCom();
  fake.addRobot('robot-fgw');
  fake.addRobot('robot-xfb');
  w = await startWorld({ mongoUri: mongo.uri, fake });
});
afterAll(async () => {
  await w?.close();
  await fake?.close();
  await mongo?.close();
});

describe('follow-ups of a proxied suggestion', () => {
  test('go to the agent in the app, headed so that the agent passes them on to the citizen', async () => {
    // 王青 (agent_wang, an app member with role agent) entered 张志刚's suggestion; its citizen ref is the agent's.
    const ref = await w.submit({
      citizen: { channel: 'wecom-app', id: 'agent_wang' },
      enteredBy: { agent: 'agent_wang', unit: 'xfb', consentAt: new Date('2021-07-01T09:59:00+08:00') },
    });
    await w.dispatcher().runOnce();
    const card = cardsTo(fake, 'unit_li')[0]!;
    await w.clicks('unit_li', card.task_id, 'accept');
    await w.dispatcher().runOnce();
    expect(appTextsTo(fake, 'agent_wang')).toEqual([expect.stringMatching(new RegExp(`^【您代理录入的建议，请转告建议人张志刚】\\n您的建议 ${ref} 已由区发展改革委受理`))]);
  });
});
