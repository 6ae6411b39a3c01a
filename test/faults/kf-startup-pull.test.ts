/**
 * Faults: a 微信客服 callback that reached a worker which died before pulling (or arrived while no worker
 * ran) is not lost: a worker pulls every configured kf account (WECOM_KF_OPEN_KFIDS) once when it starts,
 * without waiting for the next callback.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { echoHandler, startBot, type BotWorker } from '../fakes/wecom-harness.js';
import { redisAvailable, startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const KF = 'wkSTARTUPkf0000000000001';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function scenario(redisUrl?: string): Promise<{ fake: FakeWeCom; bot: BotWorker; seen: ReturnType<typeof echoHandler>['seen'] }> {
  const fake = await startFakeWeCom();
  open.push(fake);
  fake.customerEnters(KF, 'wmCitizenA', false);
  // The citizen wrote; the callback went to a worker that is gone. Nobody calls notifyKf.
  fake.customerSays(KF, 'wmCitizenA', '我想提建议');
  const { handler, seen } = echoHandler();
  const bot = await startBot(fake, { conversation: handler, ...(redisUrl ? { redisUrl } : {}), env: { WECOM_KF_OPEN_KFIDS: KF } });
  open.push(bot);
  return { fake, bot, seen };
}

describe('a worker pulls configured kf accounts when it starts', () => {
  test('in memory: the waiting message is answered without a new callback', async () => {
    const { fake, bot, seen } = await scenario();
    expect(seen).toHaveLength(0);
    bot.wecom.pullConfiguredAccounts();
    await bot.wecom.drain();
    expect(seen.map((m) => m.text)).toEqual(['我想提建议']);
    expect(fake.kfMessagesTo('wmCitizenA').map((m) => m.text)).toEqual(['收到：我想提建议']);
  });

  test.runIf(redisAvailable || process.env.CI)('with Redis: a second start-up pull sends nothing twice', async () => {
    const redis: TestRedis = await startTestRedis();
    open.push({ close: () => redis.stop() });
    const { fake, bot, seen } = await scenario(redis.url);
    bot.wecom.pullConfiguredAccounts();
    await bot.wecom.drain();
    // Another worker starting later pulls again from the stored cursor: nothing new, nothing resent.
    const { handler, seen: seen2 } = echoHandler();
    const second = await startBot(fake, { conversation: handler, redisUrl: redis.url, env: { WECOM_KF_OPEN_KFIDS: KF }, setBot: false });
    open.push(second);
    second.wecom.pullConfiguredAccounts();
    await second.wecom.drain();
    expect(seen.map((m) => m.text)).toEqual(['我想提建议']);
    expect(seen2).toHaveLength(0);
    expect(fake.kfMessagesTo('wmCitizenA')).toHaveLength(1);
  });
});
