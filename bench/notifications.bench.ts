/**
 * Bench 4 — notifications: a burst of 5,000 app messages (quick: 1,500) to 50 members through the WeCom
 * client and the shared bottleneck limiters clustered on Redis (src/notifications/rate-limits.ts), the
 * path every dispatcher delivery of a card or text takes, against the fake WeCom enforcing the per-member
 * limit over a sliding window (breaches counted). Windows are shrunk ten-fold (a 6-second "minute", a
 * 6-minute "hour") so 5,000 messages take about 20 s; counts are the contract's (30 per minute per member).
 * A 6 s window keeps the limiter's per-call work (not a 1 s window's 1,500 calls/s of pure overhead) as the
 * thing measured, while the 60 ms trip margin stays about 1 % of the window, as in production.
 *
 * Figure: messages/s achieved; baseline: the sustained allowed rate (members × 30 per "minute"); target ≥ 0.9 and
 * zero breaches. The limiters allow up to 30 at once per member (a sliding window counts, it does not pace), so
 * the quick size (30 per member, one window's burst) measures the pipeline and can exceed the baseline; the
 * full size (100 per member, four windows) is the sustained figure.
 */
import { pathToFileURL } from 'node:url';
import { createWeComClient } from '../src/channels/wecom/wecom-api-client.js';
import { silentLogger } from '../src/infra/logger.js';
import { createRedis } from '../src/infra/redis.js';
import { createWeComLimiters } from '../src/notifications/rate-limits.js';
import { startFakeWeCom } from '../test/fakes/fake-wecom-server.js';
import { FAST } from '../test/fakes/wecom-harness.js';
import { startTestRedis } from '../test/helpers/redis-server.js';
import { figure, round, type Figure } from './lib.js';

export interface NotificationsResult {
  name: 'notifications';
  notifications: number;
  members: number;
  figures: Figure[];
}

export async function run({ quick = false, notifications = quick ? 1_500 : 5_000, members = 50 }: { quick?: boolean; notifications?: number; members?: number } = {}): Promise<NotificationsResult> {
  const windows = { minuteMs: 6_000, hourMs: 360_000 };
  const redisServer = await startTestRedis();
  const fake = await startFakeWeCom({ limits: { ...windows, blockMs: 300 }, memberOverflow: 'error' });
  const redis = createRedis(redisServer.url, silentLogger);
  const limiters = createWeComLimiters({ redis, namespace: 'bench', settings: { ...windows, heartbeatMs: 100 } });
  const client = createWeComClient({ apiBase: fake.url, corpId: fake['opts'].corpId, secret: 'app-secret', agentId: fake['opts'].agentId, redis, logger: silentLogger, limiters, timing: { ...FAST.timing, requestTimeoutMs: 10_000 } });
  try {
    await client.checkCredentials();
    const t0 = performance.now();
    let failed = 0;
    await Promise.all(
      Array.from({ length: notifications }, (_, i) =>
        client.sendAppMessage({ touser: `member${i % members}`, msgtype: 'text', text: { content: `建议 WZ2021-${String(i).padStart(6, '0')} 已分派，请及时办理。` } }).catch((err: unknown) => {
          failed++;
          if (failed <= 3 && process.env.BENCH_DEBUG) console.error((err as Error).message);
        }),
      ),
    );
    const secs = (performance.now() - t0) / 1000;
    const perSec = notifications / secs;
    // The sustained rate the per-member limit allows: 30 per "minute" for each member.
    const allowed = (members * 30) / (windows.minuteMs / 1000);
    return {
      name: 'notifications',
      notifications,
      members,
      figures: [
        figure({ name: `app messages per second (${notifications} to ${members} members)`, value: round(perSec), unit: 'msg/s', baseline: { name: 'allowed by the per-member sliding window', value: round(allowed) }, target: '≥ 0.9 × allowed', met: perSec >= 0.9 * allowed }),
        figure({ name: 'limit breaches seen by the fake WeCom', value: fake.limitBreaches, unit: 'breaches', target: '0', met: fake.limitBreaches === 0 }),
        figure({ name: 'messages delivered', value: fake.appDelivered.length, unit: 'messages', baseline: { name: 'messages sent', value: notifications }, target: 'all', met: fake.appDelivered.length === notifications && failed === 0 }),
      ],
    };
  } finally {
    await limiters.close();
    redis.disconnect();
    await fake.close();
    await redisServer.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') }), null, 2));
  process.exit(0);
}
