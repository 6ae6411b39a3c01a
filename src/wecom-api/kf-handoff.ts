/**
 * 转人工 on 微信客服 (contract §7.5): within the office's hours the customer's session is handed to the
 * first configured servicer WeCom accepts (`kf/service_state/trans` to state 3), and the channel stops
 * answering that customer until WeCom reports the session ended (`session_status_change`, change_type 3).
 * Outside the hours, without servicers, or when none can take it, `request` resolves false and the
 * conversation gives the contact person instead.
 */
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import type { CitizenRef } from '../domain/suggestion-types.js';
import type { KfStore } from './kf-store.js';
import type { WeComClient } from './wecom-api-client.js';

export interface HandoffSettings {
  servicerUserIds: readonly string[];
  /** ISO weekdays, 1 = Monday. */
  days: readonly number[];
  /** "09:00-12:00" ranges, local time. */
  hours: readonly string[];
  timezone: string;
}

/** True when `at` falls within the office's days and hours (in `timezone`). */
export function withinOfficeHours(at: Date, s: Pick<HandoffSettings, 'days' | 'hours' | 'timezone'>): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: s.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? '') + 1;
  if (!s.days.includes(weekday)) return false;
  const minutes = Number(parts.hour) * 60 + Number(parts.minute);
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return s.hours.some((r) => {
    const [from, to] = r.split('-') as [string, string];
    return minutes >= toMin(from) && minutes < toMin(to);
  });
}

export interface KfHandoff {
  /** The kf account a customer last wrote to (the channel tells it before each turn). */
  noteAccount(externalUserId: string, openKfId: string): void;
  /** Hands the citizen to a person; false when the contact should be given instead. */
  request(citizen: CitizenRef): Promise<boolean>;
  /**
   * The greeting code WeCom returned with the hand-over (single use, §7.4): once a person has the session
   * the bot's kf/send_msg is refused (95018), so the turn's reply goes out with this code instead.
   */
  takeGreetingCode(externalUserId: string): string | undefined;
}

export function createKfHandoff(deps: {
  client: Pick<WeComClient, 'kfServiceStateTrans'>;
  store: Pick<KfStore, 'setWithPerson'>;
  settings: HandoffSettings;
  clock: Clock;
  logger: Logger;
}): KfHandoff {
  const log = deps.logger.child({ component: 'kf-handoff' });
  const accounts = new Map<string, string>();
  const codes = new Map<string, string>();
  return {
    takeGreetingCode(externalUserId) {
      const c = codes.get(externalUserId);
      codes.delete(externalUserId);
      return c;
    },
    noteAccount(externalUserId, openKfId) {
      accounts.delete(externalUserId);
      accounts.set(externalUserId, openKfId);
      // Only the customers of the turns in flight matter: a bounded map.
      if (accounts.size > 10_000) accounts.delete(accounts.keys().next().value!);
    },
    async request(citizen) {
      if (citizen.channel !== 'wecom-kf') return false;
      const openKfId = accounts.get(citizen.id);
      if (!openKfId || !deps.settings.servicerUserIds.length) return false;
      if (!withinOfficeHours(deps.clock.now(), deps.settings)) return false;
      for (const servicer of deps.settings.servicerUserIds) {
        try {
          const r = await deps.client.kfServiceStateTrans({ open_kfid: openKfId, external_userid: citizen.id, service_state: 3, servicer_userid: servicer });
          await deps.store.setWithPerson(openKfId, citizen.id, true);
          if (r.msg_code) codes.set(citizen.id, r.msg_code);
          log.info({ servicer }, 'kf session handed to a person');
          return true;
        } catch (err) {
          // Not receiving, not a servicer of this account…: try the next one.
          log.warn({ err: (err as Error).message, servicer }, 'kf hand-over to this servicer failed');
        }
      }
      return false;
    },
  };
}
