/**
 * Non-text messages (photos, voice, video, files, locations) go to the attachments (src/handling/attachments.ts),
 * which keep them with the sender's draft and answer; everything else goes on to `inner`. The images and files
 * of a forwarded chat record are kept too, and the summary before confirming says what goes with the suggestion.
 *
 * @example
 *   const conversation = withAttachments(handlingChat.wrap(engine), attachments);
 */
import { describeCounts, type Attachments } from '../handling/attachments.js';
import type { ConversationHandler, InboundAttachment, InboundMessage } from './message-port.js';
import { attachmentTexts } from '../../flows/texts/attachments.js';

/** Non-text messages go to the attachments, everything else to `inner` (forwarded records' media kept too). */
export function withAttachments(inner: ConversationHandler, attachments: Pick<Attachments, 'receive' | 'keepForwarded' | 'draftOf' | 'discardDraft'>): ConversationHandler {
  return {
    async handle(m) {
      if (m.attachment) {
        const text = await attachments.receive(m as InboundMessage & { attachment: InboundAttachment });
        return { replies: [{ text }], state: 'attachment' };
      }
      if (m.forwarded?.items.some((i) => i.attachment)) await attachments.keepForwarded(m);
      const r = await inner.handle(m);
      // 取消 deletes what was filled in: the photos sent for that draft too.
      if (r.state === 'cancelled') await attachments.discardDraft({ channel: m.channel, id: m.senderId }).catch(() => undefined);
      // The summary before confirming says what goes with the suggestion (the draft itself holds text only).
      if (r.state === 'confirm' && r.replies.length) {
        const refs = await attachments.draftOf({ channel: m.channel, id: m.senderId }).catch(() => []);
        if (refs.length) {
          const last = r.replies.at(-1)!;
          const lines = last.text.split('\n');
          // Above the summary's closing line (what to reply to confirm).
          lines.splice(Math.max(1, lines.length - 1), 0, attachmentTexts.summaryLine(describeCounts(refs)));
          return { ...r, replies: [...r.replies.slice(0, -1), { ...last, text: lines.join('\n') }] };
        }
      }
      return r;
    },
  };
}

