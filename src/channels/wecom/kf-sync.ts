/**
 * Pulls 微信客服 messages with `kf/sync_msg` (contract §7.2): with the callback token and the stored cursor,
 * page while `has_more` (also through empty pages), persist the cursor after each page once its items are
 * handled, and let only one worker pull a kf account at a time (a lease in Redis, or in memory).
 *
 * A callback that arrives while another worker pulls leaves a "pull again" request the holder picks up,
 * so no notification is lost between the holder's last page and its release of the lease.
 */
import type { Logger } from '../../infra/logger.js';
import type { LockService } from '../../infra/locks.js';
import { RedisKeys } from '../../infra/redis-keys.js';
import type { KfSyncItem } from './message-parser.js';
import type { KfStore } from './kf-store.js';
import type { WeComClient } from './wecom-api-client.js';
import { WeComApiError } from './wecom-errors.js';

export interface KfPullerDeps {
  client: Pick<WeComClient, 'kfSyncMsg'>;
  store: KfStore;
  locks: LockService;
  logger: Logger;
  /** Handles one page of items; the cursor moves past them only after it resolves. */
  onPage: (openKfId: string, items: KfSyncItem[]) => Promise<void>;
  /**
   * Lease length; a crashed puller blocks others at most this long. A live holder renews it every
   * third of it, so a long pull keeps it while a crash frees it soon.
   */
  leaseMs?: number;
  /** Safety stop for one pull run (pages). */
  maxPages?: number;
}

export interface KfPuller {
  /** Pulls everything new for the account (or leaves a request for the worker already pulling it). */
  pull(openKfId: string, token: string | undefined): Promise<void>;
}

export function createKfPuller({ client, store, locks, logger, onPage, leaseMs = 15_000, maxPages = 10_000 }: KfPullerDeps): KfPuller {
  const log = logger.child({ component: 'kf-sync' });

  async function drain(openKfId: string, token: string | undefined): Promise<void> {
    let cursor = await store.getCursor(openKfId);
    let tok = token;
    for (let page = 0; page < maxPages; page++) {
      let r;
      try {
        r = await client.kfSyncMsg({ open_kfid: openKfId, ...(cursor ? { cursor } : {}), ...(tok ? { token: tok } : {}) });
      } catch (err) {
        if (err instanceof WeComApiError && err.errcode === 95007 && tok) {
          log.warn({ openKfId }, 'kf sync token rejected (95007); continuing without it');
          tok = undefined;
          continue;
        }
        throw err;
      }
      if (r.msg_list.length) await onPage(openKfId, r.msg_list);
      if (r.next_cursor && r.next_cursor !== cursor) {
        cursor = r.next_cursor;
        await store.setCursor(openKfId, cursor);
      }
      if (!r.has_more) return;
    }
    log.error({ openKfId, maxPages }, 'kf sync stopped after too many pages in one run');
  }

  return {
    async pull(openKfId, token) {
      await store.requestPull(openKfId, token ?? '');
      for (;;) {
        const lease = await locks.tryAcquire(RedisKeys.kfPullLock(openKfId), leaseMs);
        if (!lease) return; // the holder will see our request
        const renew = setInterval(() => {
          lease.extend(leaseMs).then(
            (ok) => ok || log.warn({ openKfId }, 'kf pull lease lost while pulling'),
            (err: unknown) => log.warn({ err: (err as Error).message, openKfId }, 'kf pull lease not renewed'),
          );
        }, Math.max(1, Math.floor(leaseMs / 3)));
        renew.unref();
        try {
          for (let t = await store.takePullRequest(openKfId); t !== undefined; t = await store.takePullRequest(openKfId)) {
            await drain(openKfId, t || undefined);
          }
        } finally {
          clearInterval(renew);
          await lease.release();
        }
        // A request may have landed after our last take and before the release.
        const late = await store.takePullRequest(openKfId);
        if (late === undefined) return;
        await store.requestPull(openKfId, late);
      }
    },
  };
}
