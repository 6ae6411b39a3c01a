/**
 * Agents (信访代理员) as the conversation sees them: who the sender is when they enter suggestions for
 * citizens, and the port the conversation asks (the agent directory, src/agents/, implements it).
 */
import type { ChannelName, Role } from './messages.js';

/** The agent the sender is, as the agent directory knows them. */
export interface SenderAgent {
  /** Plain id stored as `enteredBy.agent`. */
  id: string;
  name: string;
  /** Unit id from config `units`. */
  unit: string;
  unitName: string;
  phone?: string;
}

/** Finds the 信访代理员 a sender is; undefined for everyone else. */
export interface AgentLookup {
  find(sender: { channel: ChannelName; senderId: string; role?: Role }): Promise<SenderAgent | undefined>;
}
