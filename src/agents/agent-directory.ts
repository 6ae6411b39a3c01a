/**
 * The agent directory: who is a 信访代理员, for which unit, and which accounts (app member userid, 微信客服
 * customer id, dev chat user) they write from. Config (`agents`, plus `members` with role `agent`) is the
 * base; the office adds, changes and retires agents through the admin API, kept in the `agents` collection
 * (an entry there overrides the config entry of the same id; `active: false` retires it).
 *
 * The conversation runtime calls `find` once per message, so the merged directory is cached for
 * `cacheMs` (writes through this directory refresh it at once; other workers see them within `cacheMs`).
 *
 * @example
 *   const agents = createAgentDirectory({ config, store: createMongoAgentStore(connection), clock });
 *   await agents.find({ channel: 'wecom-app', senderId: 'lisi' }) // { id: 'lisi', name: '李四', unit: 'nyncw', unitName: '区农业农村委' }
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { ChannelName, Role } from '../domain/messages.js';
import type { AgentLookup, SenderAgent } from '../domain/agents.js';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';

/** One agent with their accounts. */
export interface AgentEntry {
  id: string;
  name: string;
  unit: string;
  phone?: string;
  wecomUserId?: string;
  kfExternalUserIds: string[];
  devUsers: string[];
  /** False when the office retired the agent. */
  active: boolean;
  /** Where the entry comes from: config, or the admin API. */
  source: 'config' | 'admin';
}

/** What the admin API writes. */
export type AgentInput = Omit<AgentEntry, 'source'>;

/** Where admin-managed entries are kept (the port); Mongo and in-memory implementations below. */
export interface AgentStore {
  all(): Promise<AgentInput[]>;
  put(entry: AgentInput): Promise<void>;
  remove(id: string): Promise<boolean>;
}

export type AgentDirectoryConfig = Pick<AppConfig, 'agents' | 'members' | 'units'>;

/** A member of the self-built app as this service knows them. */
export interface AppPerson {
  userid: string;
  role: Role;
  unit: string;
  name: string;
}

/**
 * Who an app member is, from the one directory of people: `members` (their role), a unit's handlers
 * (`units[].wecomUserIds`, role unit) and the agents, config and admin-managed (role agent).
 */
export interface PeopleDirectory {
  appMember(userid: string): Promise<AppPerson | undefined>;
}

export interface AgentDirectory extends AgentLookup, PeopleDirectory {
  /** The agent a sender is (active agents only). */
  find(sender: { channel: ChannelName; senderId: string; role?: Role }): Promise<SenderAgent | undefined>;
  /** Every agent, config and admin-managed, retired ones included. */
  list(): Promise<AgentEntry[]>;
  /** The active agents of a unit. */
  ofUnit(unit: string): Promise<AgentEntry[]>;
  /** Adds or changes an agent (admin API). Refuses an unknown unit or an account another agent uses. */
  put(entry: AgentInput): Promise<{ ok: true; agent: AgentEntry } | { ok: false; code: 'unknown_unit' | 'account_taken'; message: string }>;
  /** Removes an admin-managed entry (a config agent is retired with `active: false` instead). */
  remove(id: string): Promise<boolean>;
}

const accountKeys = (a: Pick<AgentEntry, 'wecomUserId' | 'kfExternalUserIds' | 'devUsers'>): string[] => [
  ...(a.wecomUserId ? [`wecom-app:${a.wecomUserId}`] : []),
  ...a.kfExternalUserIds.map((k) => `wecom-kf:${k}`),
  // The terminal chat uses the same user names as the dev chat.
  ...a.devUsers.flatMap((d) => [`dev:${d}`, `cli:${d}`]),
];

/** The config's agents, members with role agent included (an `agents` entry wins over a member). */
export function configAgents(config: AgentDirectoryConfig): AgentEntry[] {
  const out: AgentEntry[] = config.agents.map((a) => ({
    id: a.id,
    name: a.name,
    unit: a.unit,
    ...(a.phone ? { phone: a.phone } : {}),
    ...(a.wecomUserId ? { wecomUserId: a.wecomUserId } : {}),
    kfExternalUserIds: [...a.kfExternalUserIds],
    devUsers: [...a.devUsers],
    active: true,
    source: 'config',
  }));
  const taken = new Set(out.flatMap((a) => [a.id, ...(a.wecomUserId ? [a.wecomUserId] : [])]));
  for (const m of config.members) {
    if (m.role !== 'agent' || taken.has(m.userid)) continue;
    out.push({ id: m.userid, name: m.name, unit: m.unit, wecomUserId: m.userid, kfExternalUserIds: [], devUsers: [], active: true, source: 'config' });
  }
  return out;
}

export interface AgentDirectoryDeps {
  config: AgentDirectoryConfig;
  store: AgentStore;
  clock: Clock;
  /** How long the merged directory is reused (default 30 s). */
  cacheMs?: number;
}

/**
 * The agent directory: the config's agents and app members with role agent, merged with those the office
 * added through the admin API (`store`); answers who among senders is an agent, cached for `cacheMs`.
 *
 * @example
 *   const agents = createAgentDirectory({ config, store: createMemoryAgentStore(), clock });
 *   await agents.find({ channel: 'dev', senderId: 'daili-lisi' }); // { id: 'daili-lisi', name: '李四', … }
 */
export function createAgentDirectory(deps: AgentDirectoryDeps): AgentDirectory {
  const { config, store, clock } = deps;
  const cacheMs = deps.cacheMs ?? 30_000;
  const unitNames = new Map(config.units.map((u) => [u.id, u.name]));
  const base = configAgents(config);
  let cache: { at: number; agents: AgentEntry[]; byAccount: Map<string, AgentEntry> } | undefined;

  async function load() {
    const now = clock.now().getTime();
    if (cache && now - cache.at < cacheMs) return cache;
    const admin = await store.all();
    const byId = new Map(base.map((a) => [a.id, a]));
    for (const a of admin) byId.set(a.id, { ...a, source: 'admin' });
    const agents = [...byId.values()];
    const byAccount = new Map<string, AgentEntry>();
    for (const a of agents) if (a.active) for (const k of accountKeys(a)) byAccount.set(k, a);
    cache = { at: now, agents, byAccount };
    return cache;
  }

  const members = new Map(config.members.map((m) => [m.userid, m]));
  const handlers = new Map<string, string>();
  for (const u of config.units) for (const id of u.wecomUserIds) if (!handlers.has(id)) handlers.set(id, u.id);

  return {
    async appMember(userid) {
      const m = members.get(userid);
      if (m) return { userid, role: m.role, unit: m.unit, name: m.name };
      const unit = handlers.get(userid);
      if (unit) return { userid, role: 'unit', unit, name: userid };
      const a = (await load()).byAccount.get(`wecom-app:${userid}`);
      if (a) return { userid, role: 'agent', unit: a.unit, name: a.name };
      return undefined;
    },
    async find(sender) {
      // A dev chat user who says they are a citizen is one, even when listed (to try both sides). Other
      // channels say `citizen` for anyone they do not know (微信客服 always): the directory decides there.
      if (sender.role === 'citizen' && (sender.channel === 'dev' || sender.channel === 'cli')) return undefined;
      const a = (await load()).byAccount.get(`${sender.channel}:${sender.senderId}`);
      if (!a) return undefined;
      return { id: a.id, name: a.name, unit: a.unit, unitName: unitNames.get(a.unit) ?? a.unit, ...(a.phone ? { phone: a.phone } : {}) };
    },
    async list() {
      return [...(await load()).agents];
    },
    async ofUnit(unit) {
      return (await load()).agents.filter((a) => a.active && a.unit === unit);
    },
    async put(entry) {
      if (!unitNames.has(entry.unit)) return { ok: false, code: 'unknown_unit', message: `unit "${entry.unit}" is not in units` };
      const { byAccount } = await load();
      for (const k of accountKeys(entry)) {
        const other = byAccount.get(k);
        if (other && other.id !== entry.id) return { ok: false, code: 'account_taken', message: `account ${k} is agent "${other.id}"` };
      }
      await store.put(entry);
      cache = undefined;
      return { ok: true, agent: { ...entry, source: 'admin' } };
    },
    async remove(id) {
      const removed = await store.remove(id);
      cache = undefined;
      return removed;
    },
  };
}

// ---- stores -------------------------------------------------------------------------------------------

/** In-memory store: the single-process default and the tests' twin. */
export function createMemoryAgentStore(initial: AgentInput[] = []): AgentStore {
  const byId = new Map(initial.map((a) => [a.id, structuredClone(a)]));
  return {
    all: async () => [...byId.values()].map((a) => structuredClone(a)),
    put: async (a) => void byId.set(a.id, structuredClone(a)),
    remove: async (id) => byId.delete(id),
  };
}

interface AgentDoc extends AgentInput {
  _id: string;
}

/** The `agents` collection. */
export function createAgentModel(connection: Connection): Model<AgentDoc> {
  const existing = connection.models.Agent as Model<AgentDoc> | undefined;
  if (existing) return existing;
  const schema = new Schema<AgentDoc>(
    {
      _id: { type: String, required: true },
      id: { type: String, required: true },
      name: { type: String, required: true },
      unit: { type: String, required: true },
      phone: String,
      wecomUserId: String,
      kfExternalUserIds: { type: [String], default: [] },
      devUsers: { type: [String], default: [] },
      active: { type: Boolean, default: true },
    },
    { collection: 'agents', timestamps: true, versionKey: false },
  );
  return connection.model<AgentDoc>('Agent', schema);
}

export function createMongoAgentStore(connection: Connection): AgentStore {
  const Agent = createAgentModel(connection);
  const plain = (d: AgentDoc): AgentInput => ({
    id: d.id,
    name: d.name,
    unit: d.unit,
    ...(d.phone ? { phone: d.phone } : {}),
    ...(d.wecomUserId ? { wecomUserId: d.wecomUserId } : {}),
    kfExternalUserIds: [...(d.kfExternalUserIds ?? [])],
    devUsers: [...(d.devUsers ?? [])],
    active: d.active !== false,
  });
  return {
    all: async () => (await Agent.find({}).lean<AgentDoc[]>()).map(plain),
    put: async (a) => {
      await Agent.replaceOne({ _id: a.id }, { _id: a.id, ...a }, { upsert: true });
    },
    remove: async (id) => (await Agent.deleteOne({ _id: id })).deletedCount > 0,
  };
}
