/**
 * A fake OpenAI-compatible chat-completions server (POST /v1/chat/completions), as on-premise Qwen or
 * DeepSeek deployments serve it. Tests set what it answers (`reply`), how late (`delayMs`) and with which
 * HTTP status, and read the requests it received.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLlmRequest {
  path: string;
  authorization: string | undefined;
  body: { model: string; messages: Array<{ role: string; content: string }>; response_format?: unknown };
}

export interface FakeLlm {
  /** Base URL to pass as LLM_BASE_URL (ends in /v1). */
  baseUrl: string;
  requests: FakeLlmRequest[];
  /** The assistant message content to answer with (a JSON string normally). */
  reply: string;
  delayMs: number;
  status: number;
  close(): Promise<void>;
}

export async function startFakeLlm(): Promise<FakeLlm> {
  const state = { reply: '{"kind":"suggestion","confidence":0.9}', delayMs: 0, status: 200 };
  const requests: FakeLlmRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      requests.push({ path: req.url, authorization: req.headers.authorization, body: JSON.parse(raw) as FakeLlmRequest['body'] });
      const answer = () => {
        if (res.destroyed) return;
        if (state.status !== 200) {
          res.writeHead(state.status, { 'content-type': 'application/json' }).end('{"error":{"message":"overloaded"}}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'chatcmpl-fake',
            object: 'chat.completion',
            model: 'fake',
            choices: [{ index: 0, message: { role: 'assistant', content: state.reply }, finish_reason: 'stop' }],
          }),
        );
      };
      if (state.delayMs > 0) setTimeout(answer, state.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeLlm = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get reply() {
      return state.reply;
    },
    set reply(v: string) {
      state.reply = v;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
