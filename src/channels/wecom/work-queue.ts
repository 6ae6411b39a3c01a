/**
 * The small in-process queue behind the fast ack: callbacks are acknowledged first and processed here.
 * Tasks with the same key run one after another in arrival order (one sender's messages stay in order);
 * different keys run concurrently. `drain()` resolves when nothing is queued or running (tests, shutdown).
 */
import type { Logger } from '../../infra/logger.js';

export interface WorkQueue {
  push(key: string, task: () => Promise<void>): void;
  /** Resolves once every queued and running task has finished (including tasks queued meanwhile). */
  drain(): Promise<void>;
  readonly pending: number;
}

export function createWorkQueue(logger: Logger): WorkQueue {
  const tails = new Map<string, Promise<void>>();
  let pending = 0;
  let idle: (() => void)[] = [];
  return {
    push(key, task) {
      pending++;
      const prev = tails.get(key) ?? Promise.resolve();
      const next = prev
        .then(() => new Promise<void>((r) => setImmediate(r)))
        .then(task)
        .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err), key: key.split(':')[0] }, 'wecom background task failed'))
        .finally(() => {
          if (tails.get(key) === next) tails.delete(key);
          if (--pending === 0) {
            const waiters = idle;
            idle = [];
            for (const w of waiters) w();
          }
        });
      tails.set(key, next);
    },
    drain() {
      return pending === 0 ? Promise.resolve() : new Promise((r) => idle.push(r));
    },
    get pending() {
      return pending;
    },
  };
}
