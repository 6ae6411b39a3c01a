/**
 * Transcript helper for agents: the real conversation service on in-memory twins, with the agent
 * directory built from config. An agent says things, forwards chat records, and the test reads replies.
 */
import { randomUUID } from 'node:crypto';
import type { ChannelName, ForwardedRecord, InboundMessage, Role } from '../../src/conversation/message-port.js';
import { createAgentDirectory, createMemoryAgentStore, type AgentDirectory } from '../../src/agents/agent-directory.js';
import { type HandledTurn } from '../../src/conversation/index.js';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig, type AppConfig } from '../../src/infra/config.js';
import { MemorySuggestions } from '../fakes/memory-suggestions.js';
import { memoryConversation } from '../helpers/conversation.js';

/** 李四 of 区农业农村委, on the app and the dev chat. */
export const LISI = { id: 'lisi', name: '李四', unit: 'nyncw', wecomUserId: 'lisi', kfExternalUserIds: [], devUsers: ['lisi'] };

export function agentConfig(over: Partial<AppConfig> = {}): AppConfig {
  const base = loadTestConfig();
  return { ...base, agents: [LISI], ...over };
}

export async function startAgentChat(opts: { now?: string; user?: string; channel?: ChannelName; role?: Role; config?: AppConfig } = {}) {
  const config = opts.config ?? agentConfig();
  const clock = fixedClock(opts.now ?? '2021-07-05T10:00:00+08:00');
  const suggestions = new MemorySuggestions(clock);
  const agents: AgentDirectory = createAgentDirectory({ config, store: createMemoryAgentStore(), clock });
  const service = memoryConversation({
    config,
    clock,
    suggestions,
    agents,
  });
  let lastTurn: HandledTurn = { replies: [], state: 'intake' };
  const channel = opts.channel ?? 'dev';
  const user = opts.user ?? 'lisi';
  return {
    clock,
    suggestions,
    agents,
    async say(text: string, extra: { forwarded?: ForwardedRecord; optionId?: string } = {}) {
      const m: InboundMessage = {
        channel,
        senderId: user,
        messageId: randomUUID(),
        text,
        receivedAt: clock.now(),
        ...(opts.role ? { role: opts.role } : {}),
        ...(extra.forwarded ? { forwarded: extra.forwarded } : {}),
        ...(extra.optionId ? { optionId: extra.optionId } : {}),
      };
      lastTurn = await service.handle(m);
      return lastTurn;
    },
    get last() {
      return lastTurn.replies.map((r) => r.text).join('\n');
    },
    get state() {
      return lastTurn.state;
    },
    get options() {
      return lastTurn.replies.flatMap((r) => r.options ?? []).map((o) => o.label);
    },
    get reference() {
      return lastTurn.reference;
    },
  };
}

/** A forwarded record: `[sender, text]` pairs a minute apart. */
export function record(lines: [string, string][], title = '李四和王五的聊天记录'): ForwardedRecord {
  const t0 = Date.parse('2021-07-05T09:00:00+08:00') / 1000;
  return { title, items: lines.map(([sender, text], i) => ({ sender, time: t0 + 60 * i, text })) };
}
