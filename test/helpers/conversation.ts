import type { ConversationDeps } from '../../src/conversation/turn.js';
/**
 * Transcript helper: a citizen chatting with the real conversation service on in-memory twins.
 *
 * @example
 *   const chat = await startChat({ now: '2021-07-01T10:00:00+08:00' });
 *   await chat.say('我想提建议');
 *   expect(chat.last).toContain('主题');
 *   expect(chat.state).toBe('theme');
 */
import { randomUUID } from 'node:crypto';
import type { ChannelName, InboundMessage } from '../../src/conversation/message-port.js';
import { createConversationService, MemorySessionStore, type HandledTurn, type Judgement } from '../../src/conversation/index.js';
import type { SessionStore } from '../../src/conversation/session-store.js';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig, type AppConfig } from '../../src/infra/config.js';
import { MemoryDedupeStore, type DedupeStore } from '../../src/infra/dedupe.js';
import { MemoryLockService, type LockService } from '../../src/infra/locks.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { SuggestionPort } from '../../src/domain/suggestion-types.js';
import { MemorySuggestions } from '../fakes/memory-suggestions.js';

/** Inside the 2021 campaign window. */
export const IN_CAMPAIGN = '2021-07-01T10:00:00+08:00';
/** After it (year-round 日常建议 only). */
export const OUTSIDE_CAMPAIGN = '2022-03-01T10:00:00+08:00';

export interface ChatOptions {
  /** The fixed "now" (like JIANYAN_NOW); defaults to inside the 2021 campaign. */
  now?: string;
  user?: string;
  channel?: ChannelName;
  config?: Readonly<AppConfig>;
  /** Share stores between chats (a second citizen, or a "restarted" service). */
  shared?: Partial<ChatWorld>;
  judge?: Judgement;
}

/** Everything that outlives one service instance. */
export interface ChatWorld {
  clock: ReturnType<typeof fixedClock>;
  sessions: SessionStore;
  locks: LockService;
  dedupe: DedupeStore;
  suggestions: MemorySuggestions;
  config: Readonly<AppConfig>;
}

export interface Chat {
  world: ChatWorld;
  user: string;
  /** Sends one message (a fresh message id unless given) and records the turn. */
  say(text: string, opts?: { messageId?: string; optionId?: string }): Promise<HandledTurn>;
  /** All reply texts of the last turn, joined. */
  readonly last: string;
  readonly lastTurn: HandledTurn;
  readonly state: string;
  /** Option labels offered in the last turn. */
  readonly options: string[];
  /** A new service instance on the same stores (a process restart). */
  restart(): Chat;
  /** Another citizen on the same service stores. */
  as(user: string): Chat;
}

export async function startChat(opts: ChatOptions = {}): Promise<Chat> {
  const config = opts.shared?.config ?? opts.config ?? loadTestConfig();
  const clock = opts.shared?.clock ?? fixedClock(opts.now ?? IN_CAMPAIGN);
  const world: ChatWorld = {
    clock,
    config,
    sessions: opts.shared?.sessions ?? new MemorySessionStore(clock),
    locks: opts.shared?.locks ?? new MemoryLockService(),
    dedupe: opts.shared?.dedupe ?? new MemoryDedupeStore(),
    suggestions: opts.shared?.suggestions ?? new MemorySuggestions(clock),
  };
  return makeChat(world, opts.user ?? 'citizen-1', opts.channel ?? 'dev', opts.judge);
}

function makeChat(world: ChatWorld, user: string, channel: ChannelName, judge?: Judgement, port?: SuggestionPort): Chat {
  const service = createConversationService({
    config: world.config,
    clock: world.clock,
    logger: silentLogger,
    sessions: world.sessions,
    locks: world.locks,
    dedupe: world.dedupe,
    suggestions: port ?? world.suggestions,
    ...(judge ? { judge } : {}),
  });
  let lastTurn: HandledTurn = { replies: [], state: 'intake' };
  const chat: Chat = {
    world,
    user,
    async say(text, o = {}) {
      const m: InboundMessage = {
        channel,
        senderId: user,
        messageId: o.messageId ?? randomUUID(),
        text,
        receivedAt: world.clock.now(),
        ...(o.optionId ? { optionId: o.optionId } : {}),
      };
      const turn = await service.handle(m);
      lastTurn = turn;
      return turn;
    },
    get last() {
      return lastTurn.replies.map((r) => r.text).join('\n');
    },
    get lastTurn() {
      return lastTurn;
    },
    get state() {
      return lastTurn.state;
    },
    get options() {
      return lastTurn.replies.flatMap((r) => r.options ?? []).map((o) => o.label);
    },
    restart: () => makeChat(world, user, channel, judge, port),
    as: (other) => makeChat(world, other, channel, judge, port),
  };
  return chat;
}

/** Answers that pass every check, for walking to a later step. */
export const good = {
  title: '关于在五桥片区增设早晚高峰公交班次的建议',
  proposal: [
    '五桥片区到江南新区的公交每30分钟一班，早晚高峰学生、上班族挤不上车。',
    '建议在7:00-9:00、17:00-19:00把班次加密到每10分钟一班，并在五桥中学站增设候车亭。',
  ],
  feasibility: '可调用公交公司现有2辆备用车，不需新购车辆；候车亭约2万元，预计高峰候车时间减少一半。',
  identity: '张志刚，13812345678，万州区某某公司',
} as const;

/** Walks a fresh chat from 我想提建议 to the step named `until` (exclusive), with good answers. */
export async function walkTo(chat: Chat, until: 'theme' | 'title' | 'category' | 'proposal' | 'feasibility' | 'identity' | 'confirm'): Promise<void> {
  const order = ['theme', 'title', 'category', 'proposal', 'feasibility', 'identity', 'confirm'] as const;
  await chat.say('我想提建议');
  for (const step of order) {
    // Outside a campaign window the theme is taken as 日常建议 without asking.
    if (step === 'theme' && chat.state === 'title') continue;
    if (chat.state !== step) throw new Error(`expected step ${step}, got ${chat.state}: ${chat.last}`);
    if (step === until) return;
    switch (step) {
      case 'theme':
        await chat.say('1');
        break;
      case 'title':
        await chat.say(good.title);
        break;
      case 'category':
        await chat.say('解决问题');
        break;
      case 'proposal':
        for (const part of good.proposal) await chat.say(part);
        await chat.say('完成');
        break;
      case 'feasibility':
        await chat.say(good.feasibility);
        await chat.say('完成');
        break;
      case 'identity':
        await chat.say(good.identity);
        break;
    }
  }
}

/**
 * The real conversation service on the in-memory twins of its stores (sessions, locks, dedupe): the
 * embedded defaults. Pass anything else it needs (agents, similar, judge) as in production.
 */
/**
 * Finishes a draft with good answers from the step it is on (proposal, feasibility, identity or the review)
 * and confirms it; the stored suggestion.
 */
export async function finishFrom(chat: Chat) {
  if (chat.state === 'proposal') {
    await chat.say(good.proposal.join(''));
    await chat.say('完成');
  }
  if (chat.state === 'feasibility') {
    await chat.say(good.feasibility);
    await chat.say('完成');
  }
  if (chat.state === 'identity') await chat.say(good.identity);
  await chat.say('确认');
  return chat.world.suggestions.stored.at(-1)!;
}

export function memoryConversation(deps: Pick<ConversationDeps, 'config' | 'clock' | 'suggestions'> & Partial<Omit<ConversationDeps, 'config' | 'clock' | 'suggestions'>>) {
  return createConversationService({
    logger: silentLogger,
    sessions: new MemorySessionStore(deps.clock),
    locks: new MemoryLockService(),
    dedupe: new MemoryDedupeStore(),
    ...deps,
  });
}
