/** Replies about limits the service enforces on senders. */
export const senderLimitTexts = {
  /** Sent once when a sender goes over the per-sender message limit; later messages in the window get nothing. */
  tooFast: (waitSeconds: number) =>
    `您发送消息的速度有点快，我们暂时处理不过来。请稍等约${Math.max(1, Math.ceil(waitSeconds / 60))}分钟后再发，已填写的内容都会保留。`,
} as const;
