/**
 * The agents part (信访代理员), wired: the agent directory the conversation runtime asks who is an agent,
 * the quarterly quota reports (JSON, .xlsx and .csv; the admin API serves them, src/admin/agent-routes.ts),
 * and the quota reminders the scheduler runs.
 *
 * @example
 *   const agents = buildAgents({ config, connection: mongo.connection, clock, logger, appSender: () => wecom?.appClient });
 *   createConversationService({ ..., agents: agents.directory });
 *   buildAdmin({ ..., quotas: agents.reports });
 *   registerAgentRoutes(app, { reports: agents.reports, directory: agents.directory, authenticate }); // src/admin
 *   setInterval(() => void agents.runQuotaReminders(clock.now()), 15 * 60_000); // under the scheduler lock
 */
import type { Connection } from 'mongoose';
import type { AppMessage, AppSendResult } from '../wecom-api/wecom-api-client.js';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import { createSuggestionModels } from '../suggestions/suggestion-model.js';
import { createAgentDirectory, createMongoAgentStore, type AgentDirectory } from './agent-directory.js';
import { createMongoQuotaFacts } from './quota-ledger.js';
import { createQuotaReports, type QuotaReports } from './quota-report.js';
import { createMongoReminderMarkers, createQuotaReminders, type ReminderRun } from './quota-reminders.js';

export * from './agent-directory.js';
export * from './forwarded-record.js';
export * from './quarter-calendar.js';
export * from './quota-ledger.js';
export * from './quota-report.js';
export * from './quota-reminders.js';

export interface BuildAgentsDeps {
  config: Readonly<AppConfig>;
  connection: Connection;
  clock: Clock;
  logger: Logger;
  /** The WeCom app client for reminders, when WeCom is configured (read at each reminder run). */
  appSender?: () => { sendAppMessage(msg: AppMessage): Promise<AppSendResult> } | undefined;
}

export interface Agents {
  /** Pass to createConversationService as `agents`. */
  directory: AgentDirectory;
  /** Pass to buildAdmin as `quotas`. */
  reports: QuotaReports;
  /** Sends the month's quota reminders once per unit (and the office's list); call from the scheduler. */
  runQuotaReminders(now: Date): Promise<ReminderRun>;
}

/** Wires the agents part on MongoDB: directory, quota reports and reminders. */
export function buildAgents(deps: BuildAgentsDeps): Agents {
  const { config, connection, clock, logger } = deps;
  const directory = createAgentDirectory({ config, store: createMongoAgentStore(connection), clock });
  const facts = createMongoQuotaFacts(createSuggestionModels(connection).Suggestion);
  const reports = createQuotaReports({ config, facts, agents: directory, clock });
  const markers = createMongoReminderMarkers(connection);
  const log = logger.child({ part: 'agents' });
  return {
    directory,
    reports,
    runQuotaReminders(now) {
      const sender = deps.appSender?.();
      return createQuotaReminders({ config, facts, agents: directory, markers, logger: log, ...(sender ? { sender } : {}) }).runQuotaReminders(now);
    },
  };
}
