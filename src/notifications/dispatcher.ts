/**
 * The outbox dispatcher (STYLE §12): finds pending notifications in suggestion documents, claims each with
 * a lease (one conditional update of `outbox.$[e]`, so two workers can never hold the same entry),
 * delivers it through the Notifier for its kind, and records delivered / retry with backoff / dead letter
 * (outcomes of concurrent deliveries are written together in one bulk write, each still conditional).
 * A worker that dies holding a claim only delays the entry until its lease runs out; another worker then
 * takes it over. A live worker extends the lease of a delivery still under way (one waiting for its
 * member's limiter can take longer than a lease). Attempts are counted at claim time, so an entry that crashes its worker still ends up a
 * dead letter instead of looping forever.
 *
 * Delivery is at least once; a resend after a crash between "sent" and "marked" is refused by WeCom
 * itself (app messages carry `enable_duplicate_check`, kf messages the entry id as `msgid`).
 *
 * @example
 * const dispatcher = createDispatcher({ models, notifiers, clock, logger, workerId: hostname(), options: cfg.notifications });
 * dispatcher.start();            // runs back to back while there is work, then polls every options.pollIntervalMs
 * await dispatcher.stop();
 */
import type { Types } from 'mongoose';
import type { Clock } from '../infra/clock.js';
import type { FileConfig } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import type { Notifiers, DeliveryOutcome } from './notifier.js';
import type { OutboxEntry } from '../handling/outbox.js';

export type DispatcherOptions = Pick<FileConfig['notifications'], 'maxAttempts' | 'backoffSeconds' | 'maxBackoffSeconds' | 'leaseSeconds' | 'pollIntervalMs'> & {
  /** Documents looked at per run. */
  batchSize?: number;
  /** Recipients delivered to side by side, each in its own lane (the limiters still pace each WeCom scope). */
  concurrency?: number;
};

export interface DispatchStats {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
}

/** A notification that could not be delivered (admin API). */
export interface DeadLetter {
  reference: string;
  id: string;
  kind: string;
  target: Record<string, unknown>;
  attempts: number;
  lastError?: string | null;
  createdFor: string;
}

export interface Dispatcher {
  /** One pass: claims and delivers what is due now. */
  runOnce(): Promise<DispatchStats>;
  /** Runs until stop(): the next run at once after one that claimed something, else after the poll interval; never overlapping. */
  start(): void;
  stop(): Promise<void>;
  listDeadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Puts a dead letter back in the queue (after the cause was fixed). */
  retryDeadLetter(reference: string, id: string): Promise<boolean>;
}

export interface DispatcherDeps {
  models: Pick<SuggestionModels, 'Suggestion'>;
  notifiers: Notifiers;
  clock: Clock;
  logger: Logger;
  /** Names this worker's claims (hostname + pid); must differ between workers. */
  workerId: string;
  options: DispatcherOptions;
  /** Observes each delivery attempt (metrics). */
  onAttempt?: (kind: string, result: 'delivered' | 'retried' | 'dead', seconds: number) => void;
}

/** Backoff before attempt `attempts + 1`: base × 2^(attempts−1), capped. */
export function backoffMs(attempts: number, opts: Pick<DispatcherOptions, 'backoffSeconds' | 'maxBackoffSeconds'>): number {
  return Math.min(opts.backoffSeconds * 1000 * 2 ** Math.max(0, attempts - 1), opts.maxBackoffSeconds * 1000);
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { Suggestion } = deps.models;
  const { clock, notifiers, workerId, options } = deps;
  const log = deps.logger.child({ component: 'dispatcher', workerId });
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 4;

  // Kinds nobody here can send (no WeCom configured in a dev run) stay pending for a worker that can.
  const kinds = Object.keys(notifiers);
  const claimable = (now: Date) => ({
    kind: { $in: kinds },
    state: 'pending',
    nextAttemptAt: { $lte: now },
    $or: [{ claimedUntil: null }, { claimedUntil: { $lte: now } }],
  });
  const isClaimable = (e: OutboxEntry, now: Date) =>
    kinds.includes(e.kind) &&
    e.state === 'pending' && e.nextAttemptAt.getTime() <= now.getTime() && (!e.claimedUntil || e.claimedUntil.getTime() <= now.getTime());

  /** An update that writes a whole entry back, only if it still matches `match`. */
  const entryUpdate = (docId: unknown, e: OutboxEntry, match: Record<string, unknown>, patch: Partial<OutboxEntry>) => ({
    filter: { _id: docId as Types.ObjectId, outbox: { $elemMatch: { id: e.id, ...match } } },
    update: { $set: { 'outbox.$[e]': { ...e, ...patch }, updatedAt: new Date() } },
    arrayFilters: [{ 'e.id': e.id }],
  });

  /**
   * Claims and records are the dispatcher's hottest writes (two per delivery), so they go through the
   * driver's collection: the entry was read lean from the same collection and is written back whole with
   * values of the stored types, so mongoose's casting (a subdocument built per write) would only re-derive
   * what is already there. `updatedAt` is set as mongoose's timestamps would.
   */
  async function replaceEntry(docId: unknown, e: OutboxEntry, match: Record<string, unknown>, patch: Partial<OutboxEntry>): Promise<boolean> {
    const { filter, update, arrayFilters } = entryUpdate(docId, e, match, patch);
    const res = await Suggestion.collection.updateOne(filter, update, { arrayFilters });
    return res.modifiedCount === 1;
  }

  function claim(docId: unknown, e: OutboxEntry): Promise<boolean> {
    const now = clock.now();
    // `attempts` in the precondition: the count we write is the one we read, whoever else is trying.
    return replaceEntry(docId, e, { attempts: e.attempts, ...claimable(now) }, {
      claimedBy: workerId,
      claimedUntil: new Date(now.getTime() + options.leaseSeconds * 1000),
      attempts: e.attempts + 1,
    });
  }

  /**
   * Keeps a claim alive while its delivery is still under way: a card can wait for its member's limiter
   * about a whole window (at WeCom's limits a minute and more, the hour limit up to an hour), longer than the
   * lease, and another worker must not take over a card its live worker is about to send. Extends the lease
   * only while the claim is still ours and not yet recorded; a worker that dies stops extending, so its
   * claims still run out after one lease.
   */
  function keepClaimed(docId: unknown, e: OutboxEntry, attempts: number): () => void {
    const leaseMs = options.leaseSeconds * 1000;
    const timer = setInterval(() => {
      Suggestion.collection
        .updateOne(
          { _id: docId as Types.ObjectId, outbox: { $elemMatch: { id: e.id, claimedBy: workerId, attempts, state: 'pending', claimedUntil: { $ne: null } } } },
          { $set: { 'outbox.$[e].claimedUntil': new Date(clock.now().getTime() + leaseMs) } },
          { arrayFilters: [{ 'e.id': e.id }] },
        )
        .catch((err: unknown) => log.warn({ err, entry: e.id }, 'could not extend a claim'));
    }, Math.max(1, Math.floor(leaseMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Outcomes are written in batches: every outcome recorded while the previous batch was being written goes
   * out in the next one, one bulk write of the same conditional updates (each still lands only while its
   * claim is ours). Nothing waits for a batch to fill: under load batches grow by themselves, alone an
   * outcome is written at once. A delivery does not wait for its record (the entry stays claimed, so no run
   * takes it meanwhile); the run waits for all its records before it ends.
   */
  interface Recording {
    docId: unknown;
    entry: OutboxEntry;
    update: ReturnType<typeof entryUpdate>;
    /** Resolves with whether the claim was still ours. */
    done(mine: boolean): void;
    fail(err: unknown): void;
  }
  let recordings: Recording[] = [];
  let writing = false;
  async function writeRecordings(): Promise<void> {
    writing = true;
    while (recordings.length) {
      const batch = recordings;
      recordings = [];
      try {
        const res = await Suggestion.collection.bulkWrite(
          batch.map(({ update: { filter, update, arrayFilters } }) => ({ updateOne: { filter, update, arrayFilters } })),
          { ordered: false },
        );
        if (res.matchedCount === batch.length) {
          for (const r of batch) r.done(true);
          continue;
        }
        // Some claim was lost (a lease ran out and another worker took over): find out which. Rare.
        const docs = (await Suggestion.collection.find({ _id: { $in: batch.map((r) => r.docId as Types.ObjectId) } }, { projection: { outbox: 1 } }).toArray()) as unknown as { _id: { equals(x: unknown): boolean }; outbox: OutboxEntry[] }[];
        for (const r of batch) {
          const now = docs.find((d) => d._id.equals(r.docId))?.outbox.find((x) => x.id === r.entry.id);
          const written = r.update.update.$set['outbox.$[e]'];
          r.done(Boolean(now && now.claimedBy === workerId && !now.claimedUntil && now.attempts === written.attempts && now.state === written.state));
        }
      } catch (err) {
        for (const r of batch) r.fail(err);
      }
    }
    writing = false;
  }

  function record(docId: unknown, e: OutboxEntry, attempts: number, outcome: DeliveryOutcome): { result: 'delivered' | 'retried' | 'dead'; written: Promise<boolean> } {
    const now = clock.now();
    let patch: Partial<OutboxEntry>;
    let result: 'delivered' | 'retried' | 'dead';
    if (outcome.status === 'delivered') {
      result = 'delivered';
      patch = { state: 'delivered', deliveredAt: now, lastError: outcome.note ?? null };
    } else if (outcome.status === 'failed' || attempts >= options.maxAttempts) {
      result = 'dead';
      patch = { state: 'dead', lastError: outcome.error };
    } else {
      result = 'retried';
      const wait = Math.max(outcome.afterMs ?? 0, backoffMs(attempts, options));
      patch = { nextAttemptAt: new Date(now.getTime() + wait), lastError: outcome.error };
    }
    // Only while the claim is still ours: if the lease ran out and another worker took over, its result counts.
    const update = entryUpdate(docId, { ...e, attempts }, { claimedBy: workerId, attempts, state: 'pending' }, { ...patch, claimedBy: workerId, claimedUntil: null });
    const written = new Promise<boolean>((done, fail) => {
      recordings.push({ docId, entry: e, update, done, fail });
      if (!writing) void writeRecordings();
    });
    return { result, written };
  }

  /** The recipient an entry goes to: one lane per recipient (a member list, a robot, a citizen). */
  const recipientOf = (e: OutboxEntry) => JSON.stringify(e.target);

  /** One entry waiting in a recipient's lane. */
  interface Queued {
    doc: { _id: unknown; reference: string };
    entry: OutboxEntry;
  }

  /** Delivers one claimed-or-claimable entry; returns whether it was delivered. */
  async function deliverEntry(doc: Queued['doc'], e: OutboxEntry, stats: DispatchStats, written: Promise<void>[]): Promise<boolean> {
    if (!(await claim(doc._id, e))) return false;
    stats.claimed++;
    const attempts = e.attempts + 1;
    const notifier = notifiers[e.kind];
    let outcome: DeliveryOutcome;
    const started = performance.now();
    const release = keepClaimed(doc._id, e, attempts);
    try {
      outcome = await notifier!.deliver(e, { reference: doc.reference });
    } catch (err) {
      outcome = { status: 'retry', error: err instanceof Error ? err.message : String(err) };
    } finally {
      release();
    }
    const { result: r, written: mine } = record(doc._id, e, attempts, outcome);
    written.push(
      mine.then(
        (ours) => {
          if (!ours) log.warn({ entry: e.id }, 'claim lost before the outcome was recorded');
          deps.onAttempt?.(e.kind, r, (performance.now() - started) / 1000);
          stats[r]++;
          if (r !== 'delivered') {
            log[r === 'dead' ? 'error' : 'warn']({ reference: doc.reference, entry: e.id, kind: e.kind, attempts, error: 'error' in outcome ? outcome.error : undefined }, r === 'dead' ? 'notification parked as dead letter' : 'notification will be retried');
          }
        },
        // The entry stays claimed until its lease runs out, then it is tried again (the attempt counted).
        (err: unknown) => log.error({ err, reference: doc.reference, entry: e.id }, 'recording a delivery outcome failed'),
      ),
    );
    return r === 'delivered';
  }

  /**
   * Recipients with a lane running in this worker. A lane delivers its recipient's entries one after the
   * other (a card waits for its member's limiter there, and nowhere else); lanes of different recipients
   * run side by side, so one slow or rate-limited recipient never delays another's notifications, and a
   * run does not wait for a slow lane before looking for more work (`busy` recipients are left out of it).
   */
  const lanes = new Map<string, Promise<void>>();
  const maxLanes = options.concurrency ?? 64;
  let onLaneDone: (() => void) | undefined;

  function startLane(key: string, queue: Queued[], stats: DispatchStats, written: Promise<void>[]): Promise<void> {
    const lane = (async () => {
      // Entries of one document to one recipient go out in the order they were written: after one that
      // is not delivered, the later ones of that document wait (the citizen hears "accepted" before "answered").
      const held = new Set<unknown>();
      for (const { doc, entry } of queue) {
        if (held.has(doc._id)) continue;
        try {
          if (!(await deliverEntry(doc, entry, stats, written))) held.add(doc._id);
        } catch (err) {
          held.add(doc._id);
          log.error({ err, reference: doc.reference }, 'dispatching a notification failed');
        }
      }
    })().finally(() => {
      lanes.delete(key);
      onLaneDone?.();
    });
    lanes.set(key, lane);
    return lane;
  }

  /** Finds due work for recipients without a running lane and starts their lanes. */
  async function dispatch(stats: DispatchStats, written: Promise<void>[]): Promise<Promise<void>[]> {
    const now = clock.now();
    const busy = [...lanes.keys()].map((k) => JSON.parse(k) as unknown);
    const filter = busy.length ? { ...claimable(now), target: { $nin: busy } } : claimable(now);
    const docs = (await Suggestion.find({ outbox: { $elemMatch: filter } }, { reference: 1, outbox: 1 })
      .limit(batchSize)
      .lean()) as unknown as { _id: unknown; reference: string; outbox: OutboxEntry[] }[];
    const queues = new Map<string, Queued[]>();
    for (const doc of docs) {
      const waiting = new Set<string>();
      for (const e of doc.outbox) {
        if (e.state !== 'pending') continue;
        const key = recipientOf(e);
        if (waiting.has(key) || lanes.has(key) || !isClaimable(e, now)) {
          waiting.add(key);
          continue;
        }
        const q = queues.get(key) ?? [];
        q.push({ doc: { _id: doc._id, reference: doc.reference }, entry: e });
        queues.set(key, q);
      }
    }
    const started: Promise<void>[] = [];
    for (const [key, queue] of queues) {
      if (lanes.size >= maxLanes) break;
      started.push(startLane(key, queue, stats, written));
    }
    return started;
  }

  async function runOnce(): Promise<DispatchStats> {
    const stats: DispatchStats = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
    const written: Promise<void>[] = [];
    // Until nothing more is due: a recipient's lane that ended (or the lane cap) may have left work behind.
    for (let pass = 0; pass < 1000; pass++) {
      const started = await dispatch(stats, written);
      if (!started.length) break;
      await Promise.race(started);
    }
    await Promise.all([...lanes.values()]);
    await Promise.all(written);
    return stats;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  // A lane that ends while a run is under way asks for another run right after it.
  let again = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    if (running) {
      if (ms === 0) again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(loop, ms);
  };
  // A lane that ends frees its recipient: what else is due for them (or was left out meanwhile) is looked for at once.
  onLaneDone = () => schedule(0);
  const loop = () => {
    timer = undefined;
    if (stopped || running) return;
    const stats: DispatchStats = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
    running = dispatch(stats, [])
      .catch((err) => {
        log.error({ err }, 'dispatcher run failed');
        return [];
      })
      .then((started) => {
        running = undefined;
        // A run that started lanes may have left more due work behind it (a burst is larger than a batch):
        // the next run starts at once. Only an idle (or failing) run waits for the poll interval. Runs do
        // not wait for the lanes they started.
        const soon = started.length > 0 || again;
        again = false;
        schedule(soon ? 0 : options.pollIntervalMs);
      });
  };

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all([...lanes.values()]);
    },
    async listDeadLetters(limit = 200) {
      const docs = (await Suggestion.find({ 'outbox.state': 'dead' }, { reference: 1, outbox: 1 }).limit(limit).lean()) as unknown as { reference: string; outbox: OutboxEntry[] }[];
      return docs.flatMap((d) =>
        d.outbox
          .filter((e) => e.state === 'dead')
          .map((e) => ({
            reference: d.reference,
            id: e.id,
            kind: e.kind,
            // Targets hold userids and unit ids, never personal details; payloads stay out of the API.
            target: e.target as Record<string, unknown>,
            attempts: e.attempts,
            lastError: e.lastError ?? null,
            createdFor: 'topic' in e.payload ? String(e.payload.topic) : e.kind,
          })),
      );
    },
    async retryDeadLetter(reference, id) {
      const doc = (await Suggestion.findOne({ reference, 'outbox.id': id }, { outbox: 1 }).lean()) as unknown as { _id: unknown; outbox: OutboxEntry[] } | null;
      const e = doc?.outbox.find((x) => x.id === id && x.state === 'dead');
      if (!doc || !e) return false;
      return replaceEntry(doc._id, e, { state: 'dead' }, { state: 'pending', attempts: 0, nextAttemptAt: clock.now(), claimedBy: null, claimedUntil: null });
    },
  };
}
