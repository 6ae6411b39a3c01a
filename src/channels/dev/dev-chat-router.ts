/**
 * POST /dev/chat — the dev chat contract (DESIGN.md): `{user, text, role?, forwarded?}` in,
 * `{replies, state, reference?}` out. The same engine as every other channel.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../infra/clock.js';
import type { ConversationHandler } from '../../conversation/message-port.js';

const devChatBody = z
  .object({
    user: z.string().trim().min(1).max(64),
    // Generous cap: the engine itself refuses over-long answers with the limit stated.
    text: z.string().max(20_000),
    role: z.enum(['citizen', 'agent']).optional(),
    messageId: z.string().min(1).max(128).optional(),
    forwarded: z
      .object({
        title: z.string().max(200).optional(),
        items: z.array(z.object({ sender: z.string().max(64), time: z.number().int().nonnegative(), text: z.string().max(5000) })).max(200),
      })
      .optional(),
  })
  .strict();

export function registerDevChatRoutes(app: FastifyInstance, deps: { conversation: ConversationHandler; clock: Clock }): void {
  app.post('/dev/chat', async (req) => {
    const body = devChatBody.parse(req.body);
    const result = await deps.conversation.handle({
      channel: 'dev',
      senderId: body.user,
      messageId: body.messageId ?? randomUUID(),
      text: body.text,
      role: body.role,
      forwarded: body.forwarded,
      receivedAt: deps.clock.now(),
    });
    return {
      replies: result.replies.map((r) => ({ text: r.text, options: r.options ?? [] })),
      state: result.state,
      ...(result.reference ? { reference: result.reference } : {}),
    };
  });
}
