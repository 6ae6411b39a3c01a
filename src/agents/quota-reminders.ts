/**
 * Quota reminders. In a required month, from `quotas.reminders.dayOfMonth` on, the agents of each unit
 * with no entry yet that month get one WeCom app message, and the office (the collecting office's WeCom
 * members) gets one list of the units behind. The scheduler calls `runQuotaReminders(now)` as often as it
 * likes: each message goes out once per unit (or office) and month, guarded by a marker that is claimed
 * before sending and confirmed after. A claim left by a crashed run is taken over after `leaseMs`, and
 * WeCom's own duplicate check (4 h) drops the resend if the first one had in fact gone out.
 *
 * @example
 *   const reminders = createQuotaReminders({ config, facts, agents, markers: createMongoReminderMarkers(connection), sender: wecom.appClient, logger });
 *   await reminders.runQuotaReminders(clock.now());
 */
import type { Connection } from 'mongoose';
import type { AppMessage, AppSendResult } from '../wecom-api/wecom-api-client.js';
import type { AppConfig } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import { quotaReminderTexts } from '../../flows/texts/agent.js';
import type { AgentDirectory } from './agent-directory.js';
import { localDate, monthKey, monthRange, placeInQuarter } from './quarter-calendar.js';
import { computeQuarterReport, requiredPlaces, type QuotaConfig, type QuotaFacts } from './quota-ledger.js';

/** Once-only markers (the port): `claim` is true for exactly one caller until the claim is released. */
export interface ReminderMarkers {
  /** Claims `key`; also true when an unconfirmed claim is older than `leaseMs` (its run crashed). */
  claim(key: string, now: Date, leaseMs: number): Promise<boolean>;
  /** The message went out: the key is never claimed again. */
  confirm(key: string, now: Date): Promise<void>;
  /** Sending failed: the next run may try again. */
  release(key: string): Promise<void>;
}

export interface QuotaReminderDeps {
  config: QuotaConfig & Pick<AppConfig, 'collectingOffice'>;
  facts: QuotaFacts;
  agents: Pick<AgentDirectory, 'ofUnit'>;
  markers: ReminderMarkers;
  /** The WeCom app client; without it nothing is sent (the report still shows who is behind). */
  sender?: { sendAppMessage(msg: AppMessage): Promise<AppSendResult> };
  logger: Pick<Logger, 'info' | 'warn'>;
  /** How long a claim by a run that never confirmed blocks others (default 5 min). */
  leaseMs?: number;
}

export interface ReminderRun {
  month: string;
  /** False outside required months or before the reminder day. */
  due: boolean;
  behind: { unit: string; unitName: string; agents: string[] }[];
  /** Units whose agents were sent a reminder in this run. */
  reminded: string[];
  officeNotified: boolean;
}

export interface QuotaReminders {
  runQuotaReminders(now: Date): Promise<ReminderRun>;
}

/**
 * Reminds the agents of units behind on the month's proxy entry, and the office of the list, once per unit
 * and month across workers (claim/confirm `markers`); without a `sender` a run only reports who is behind.
 */
export function createQuotaReminders(deps: QuotaReminderDeps): QuotaReminders {
  const { config, facts, agents, markers, sender, logger } = deps;
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const tz = config.service.timezone;

  async function sendOnce(key: string, now: Date, touser: string[], content: string): Promise<boolean> {
    if (!sender || !touser.length) return false;
    if (!(await markers.claim(key, now, leaseMs))) return false;
    try {
      await sender.sendAppMessage({ touser: touser.join('|'), msgtype: 'text', text: { content }, enable_duplicate_check: 1, duplicate_check_interval: 4 * 3600 });
    } catch (err) {
      logger.warn({ err, key }, 'quota reminder not sent; the next run retries');
      await markers.release(key).catch(() => undefined);
      return false;
    }
    await markers.confirm(key, now);
    return true;
  }

  return {
    async runQuotaReminders(now) {
      const today = localDate(now, tz);
      const month = monthKey(today.year, today.month);
      const place = placeInQuarter(today.month);
      const run: ReminderRun = { month, due: false, behind: [], reminded: [], officeNotified: false };
      if (!config.quotas.reminders.enabled || today.day < config.quotas.reminders.dayOfMonth) return run;
      const subject = config.units.filter((u) => requiredPlaces(u, config)?.includes(place));
      if (!subject.length) return run;
      run.due = true;

      const { from } = monthRange(today.year, today.month, tz);
      const report = computeQuarterReport({
        config,
        quarter: { year: today.year, quarter: Math.floor((today.month - 1) / 3) + 1 },
        now,
        facts: await facts.between(from, now),
        campaignFacts: {},
        agentsByUnit: {},
      });
      for (const u of report.units) {
        const m = u.months.find((x) => x.month === today.month);
        if (!m?.required || m.status === 'met') continue;
        const unitAgents = await agents.ofUnit(u.unit);
        run.behind.push({ unit: u.unit, unitName: u.unitName, agents: unitAgents.map((a) => a.name) });
        const userids = unitAgents.flatMap((a) => (a.wecomUserId ? [a.wecomUserId] : []));
        const content = quotaReminderTexts.agent({ unitName: u.unitName, year: today.year, month: today.month, quarter: Math.floor((today.month - 1) / 3) + 1, day: today.day });
        if (await sendOnce(`quota-reminder:${u.unit}:${month}`, now, userids, content)) run.reminded.push(u.unit);
      }
      if (run.behind.length) {
        const office = config.units.find((u) => u.id === config.collectingOffice);
        const content = quotaReminderTexts.office({ year: today.year, month: today.month, units: run.behind.map((b) => ({ name: b.unitName, agents: b.agents })) });
        run.officeNotified = await sendOnce(`quota-office:${month}`, now, office?.wecomUserIds ?? [], content);
      }
      logger.info({ month, behind: run.behind.length, reminded: run.reminded.length, office: run.officeNotified }, 'quota reminders run');
      return run;
    },
  };
}

// ---- markers -------------------------------------------------------------------------------------------

export function createMemoryReminderMarkers(): ReminderMarkers {
  const m = new Map<string, { state: 'sending' | 'sent'; claimedAt: number }>();
  return {
    async claim(key, now, leaseMs) {
      const cur = m.get(key);
      if (cur && (cur.state === 'sent' || now.getTime() - cur.claimedAt < leaseMs)) return false;
      m.set(key, { state: 'sending', claimedAt: now.getTime() });
      return true;
    },
    async confirm(key, now) {
      m.set(key, { state: 'sent', claimedAt: now.getTime() });
    },
    async release(key) {
      if (m.get(key)?.state === 'sending') m.delete(key);
    },
  };
}

interface MarkerDoc {
  _id: string;
  state: 'sending' | 'sent';
  claimedAt: Date;
  sentAt?: Date;
}

/** Markers in the `quota_reminders` collection: the unique `_id` makes the first claim win. */
export function createMongoReminderMarkers(connection: Connection): ReminderMarkers {
  const col = () => connection.collection<MarkerDoc>('quota_reminders');
  return {
    async claim(key, now, leaseMs) {
      try {
        await col().insertOne({ _id: key, state: 'sending', claimedAt: now });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
      const taken = await col().findOneAndUpdate(
        { _id: key, state: 'sending', claimedAt: { $lt: new Date(now.getTime() - leaseMs) } },
        { $set: { claimedAt: now } },
      );
      return taken !== null;
    },
    async confirm(key, now) {
      await col().updateOne({ _id: key }, { $set: { state: 'sent', sentAt: now } });
    },
    async release(key) {
      await col().deleteOne({ _id: key, state: 'sending' });
    },
  };
}
