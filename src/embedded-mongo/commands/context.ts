import type { Store } from '../store.js';
import type { CursorManager } from './cursors.js';
import type { Doc } from '../types-bridge.js';

/** What a command handler can see: the store, cursors and who is asking. */
export interface CommandContext {
  store: Store;
  cursors: CursorManager;
  db: string;
  connectionId: number;
  startedAt: number;
  stats: { connections: () => number; totalConnections: () => number; opcounters: Record<string, number> };
}

export type Handler = (cmd: Doc, ctx: CommandContext) => Doc | Promise<Doc>;
