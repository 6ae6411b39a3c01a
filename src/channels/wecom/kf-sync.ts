/**
 * Pulls 微信客服 messages with `kf/sync_msg` (contract §7.2): with the callback token and the stored cursor,
 * page while `has_more` (also through empty pages), and let only one worker pull a kf account at a time
 * (a lease in Redis, or in memory).
 *
 * Pipelined: the holder fetches the next page while the customers of earlier pages are still being
 * answered. Each page is split by customer; one customer's batches run one after another, in page order,
 * and never overlap, while different customers run concurrently. The cursor is persisted only once a page
 * AND every page before it are fully handled, so a crash re-reads (never skips) unhandled messages; the
 * engine's dedupe on messageId answers re-read ones as duplicates. The lease is held until everything
 * fetched under it is handled, so no other worker can re-read those pages while they are in flight.
 *
 * A callback that arrives while another worker (or this one) pulls leaves a "pull again" request the
 * holder picks up, so no notification is lost between the holder's last page and its release of the lease.
 */
import type { Logger } from '../../infra/logger.js';
import type { LockService } from '../../infra/locks.js';
import { RedisKeys } from '../../infra/redis-keys.js';
import type { KfSyncItem } from './message-parser.js';
import type { KfStore } from '../../wecom-api/kf-store.js';
import type { WeComClient } from '../../wecom-api/wecom-api-client.js';
import { WeComApiError } from '../../wecom-api/wecom-errors.js';

export interface KfPullerDeps {
  client: Pick<WeComClient, 'kfSyncMsg'>;
  store: KfStore;
  locks: LockService;
  logger: Logger;
  /**
   * Handles items of one page — all of them one customer's (or only customer-less events), in page order.
   * Calls for the same customer never overlap and come in page order; the cursor moves past a page only
   * after every call for it (and for all earlier pages) resolved. A rejection stops that customer's later
   * batches of this pull and keeps the cursor before the page (it is re-read by the next pull).
   */
  onPage: (openKfId: string, items: KfSyncItem[]) => Promise<void>;
  /**
   * Lease length; a crashed puller blocks others at most this long. A live holder renews it every
   * third of it, so a long pull keeps it while a crash frees it soon.
   */
  leaseMs?: number;
  /** Safety stop for one pull run (pages). */
  maxPages?: number;
  /** Back-pressure: no further page is fetched while this many fetched items are not yet handled. */
  maxItemsInFlight?: number;
}

export interface KfPuller {
  /**
   * Pulls everything new for the account (or leaves a request for the holder already pulling it: then it
   * resolves at once). The holder's call resolves once every message it fetched has been handled.
   */
  pull(openKfId: string, token: string | undefined): Promise<void>;
}

/** Which customer an item belongs to ('' for items of no customer, e.g. servicer events). */
const customerOf = (it: KfSyncItem): string => it.external_userid ?? it.event?.external_userid ?? '';

interface Page {
  /** The cursor after this page ('' when WeCom returned none). */
  cursor: string;
  items: number;
  open: number;
}

export function createKfPuller({ client, store, locks, logger, onPage, leaseMs = 15_000, maxPages = 10_000, maxItemsInFlight = 2_000 }: KfPullerDeps): KfPuller {
  const log = logger.child({ component: 'kf-sync' });
  /** Accounts this process is pulling right now: a wake-up for the holder's loop. */
  const holders = new Map<string, () => void>();

  /** One holder's run over the account, under the lease. */
  async function hold(openKfId: string): Promise<void> {
    let cursor = await store.getCursor(openKfId);
    const pages: Page[] = [];
    const tails = new Map<string, Promise<void>>();
    let inFlight = 0;
    let failure: { err: unknown } | undefined;
    // One waiter at a time (the loop below); a notification with nobody waiting is remembered.
    let signal: (() => void) | undefined;
    let notified = false;
    const changed = () =>
      notified ? ((notified = false), Promise.resolve()) : new Promise<void>((r) => (signal = r));
    const notify = () => {
      const s = signal;
      signal = undefined;
      if (s) s();
      else notified = true;
    };
    holders.set(openKfId, notify);
    let persisting = Promise.resolve();

    /** Persists the cursor of the newest page whose earlier pages are all handled. */
    const advance = () => {
      let done: Page | undefined;
      while (pages[0] && pages[0].open === 0) done = pages.shift();
      if (!done || !done.cursor || failure) return;
      const c = done.cursor;
      persisting = persisting.then(() => store.setCursor(openKfId, c)).catch((err: unknown) => {
        failure ??= { err };
      });
    };

    const dispatch = (items: KfSyncItem[], next: string) => {
      const page: Page = { cursor: next, items: items.length, open: 0 };
      pages.push(page);
      const byCustomer = new Map<string, KfSyncItem[]>();
      for (const it of items) {
        const k = customerOf(it);
        const list = byCustomer.get(k);
        if (list) list.push(it);
        else byCustomer.set(k, [it]);
      }
      inFlight += items.length;
      for (const [k, batch] of byCustomer) {
        page.open++;
        // Chained on this customer's previous batch: in order, never overlapping; after a failure the
        // customer's later batches do not run (the rejection propagates down the chain).
        const run = (tails.get(k) ?? Promise.resolve()).then(() => onPage(openKfId, batch));
        const tail = run.then(
          () => undefined,
          (err: unknown) => {
            failure ??= { err };
          },
        );
        tails.set(k, run);
        void tail.finally(() => {
          if (tails.get(k) === run) tails.delete(k);
          page.open--;
          inFlight -= batch.length;
          advance();
          notify();
        });
      }
      if (page.open === 0) advance();
    };

    /** Fetches every page for one request; returns early only on a failure. */
    const fetchAll = async (token: string | undefined) => {
      let tok = token;
      for (let page = 0; page < maxPages; page++) {
        while (inFlight >= maxItemsInFlight && !failure) await changed();
        if (failure) return;
        let r;
        try {
          r = await client.kfSyncMsg({ open_kfid: openKfId, ...(cursor ? { cursor } : {}), ...(tok ? { token: tok } : {}) });
        } catch (err) {
          if (err instanceof WeComApiError && err.errcode === 95007 && tok) {
            log.warn({ openKfId }, 'kf sync token rejected (95007); continuing without it');
            tok = undefined;
            continue;
          }
          failure ??= { err };
          return;
        }
        const next = r.next_cursor && r.next_cursor !== cursor ? r.next_cursor : '';
        if (next) cursor = next;
        if (r.msg_list.length || next) dispatch(r.msg_list, next);
        if (!r.has_more) return;
      }
      log.error({ openKfId, maxPages }, 'kf sync stopped after too many pages in one run');
    };

    try {
      for (;;) {
        if (failure) break;
        const t = await store.takePullRequest(openKfId);
        if (t !== undefined) {
          await fetchAll(t || undefined);
          continue;
        }
        if (inFlight === 0 && pages.length === 0) break;
        // Wait for a new request (wake-up) or for handled items, then look again.
        await changed();
      }
      // After a failure: let what is already running finish (its cursors are not persisted past the failure).
      while (inFlight > 0) await changed();
      await persisting;
    } finally {
      holders.delete(openKfId);
    }
    if (failure) throw failure.err;
  }

  return {
    async pull(openKfId, token) {
      await store.requestPull(openKfId, token ?? '');
      const local = holders.get(openKfId);
      if (local) {
        local(); // this process holds the account: its loop takes the request
        return;
      }
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
          await hold(openKfId);
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
