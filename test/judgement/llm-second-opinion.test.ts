import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createConversationService, MemorySessionStore } from '../../src/conversation/index.js';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { MemoryDedupeStore } from '../../src/infra/dedupe.js';
import { MemoryLockService } from '../../src/infra/locks.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createMetrics } from '../../src/infra/metrics.js';
import { createSecondOpinion, maskPersonal, type SecondOpinionOptions } from '../../src/judgement/llm-second-opinion.js';
import type { ScopeVerdict } from '../../src/judgement/judgement-types.js';
import { startFakeLlm, type FakeLlm } from '../fakes/fake-llm-server.js';
import { MemorySuggestions } from '../fakes/memory-suggestions.js';
import { IN_CAMPAIGN } from '../helpers/conversation.js';

let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeLlm();
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => {
  llm.requests.length = 0;
  llm.reply = '{"kind":"suggestion","confidence":0.9}';
  llm.delayMs = 0;
  llm.status = 200;
});

const unsure: ScopeVerdict = { kind: 'unsure', candidates: ['complaint'], confidence: 0.3 };

function adapter(extra: Partial<SecondOpinionOptions> = {}) {
  const calls: string[] = [];
  let disagreements = 0;
  const so = createSecondOpinion({
    baseUrl: llm.baseUrl,
    apiKey: 'test-key',
    model: 'qwen-test',
    timeoutMs: 300,
    onCall: (r) => calls.push(r),
    onDisagreement: () => disagreements++,
    ...extra,
  });
  return { so, calls, disagreements: () => disagreements };
}

describe('the second opinion is asked only when the local model is unsure', () => {
  test('a sure local verdict is kept without any call', async () => {
    const { so, calls } = adapter();
    const local: ScopeVerdict = { kind: 'suggestion', confidence: 0.9 };
    expect(await so.consult('建议在五桥片区增设公交线路', local)).toBe(local);
    expect(llm.requests).toHaveLength(0);
    expect(calls).toEqual([]);
  });

  test('an unsure one is sent, with the model, the key and a JSON answer asked for; a valid answer is used', async () => {
    const { so, calls, disagreements } = adapter();
    const v = await so.consult('我们村那条路，加宽到能会车就可以了', unsure);
    expect(v).toEqual({ kind: 'suggestion', confidence: 0.9 });
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]!.authorization).toBe('Bearer test-key');
    expect(llm.requests[0]!.body.model).toBe('qwen-test');
    expect(llm.requests[0]!.body.response_format).toEqual({ type: 'json_object' });
    expect(calls).toEqual(['ok']);
    // The local model leaned out of scope (0.3 in scope): a suggestion is a disagreement.
    expect(disagreements()).toBe(1);
  });

  test('phone numbers and names are masked before sending', async () => {
    const { so } = adapter();
    await so.consult('我叫王建国，电话13812345678，我家门口的路坏了', unsure);
    const sent = llm.requests[0]!.body.messages.find((m) => m.role === 'user')!.content;
    expect(sent).not.toContain('13812345678');
    expect(sent).not.toContain('王建国');
    expect(maskPersonal('联系人：李四，13912345678')).not.toMatch(/李四|13912345678/u);
  });
});

describe('anything but a valid, confident answer leaves the local decision', () => {
  test('a timeout', async () => {
    llm.delayMs = 2000;
    const { so, calls } = adapter({ timeoutMs: 150 });
    expect(await so.consult('我们村的路什么时候修', unsure)).toBe(unsure);
    expect(calls).toEqual(['timeout']);
  });

  test('an HTTP error', async () => {
    llm.status = 503;
    const { so, calls } = adapter();
    expect(await so.consult('我们村的路什么时候修', unsure)).toBe(unsure);
    expect(calls).toEqual(['http_error']);
  });

  test.each([['not json at all'], ['{"kind":"maybe","confidence":0.9}'], ['{"kind":"petition","confidence":7}']])('an invalid answer %j', async (reply) => {
    llm.reply = reply;
    const { so, calls } = adapter();
    expect(await so.consult('我们村的路什么时候修', unsure)).toBe(unsure);
    expect(calls).toEqual(['invalid']);
  });

  test('an unconfident answer, and an answer of a kind the local rules own (spam, abuse, emergencies)', async () => {
    const { so } = adapter();
    llm.reply = '{"kind":"petition","confidence":0.5}';
    expect(await so.consult('我们村的路什么时候修', unsure)).toBe(unsure);
    llm.reply = '{"kind":"spam","confidence":0.95}';
    expect(await so.consult('我们村的路什么时候修', unsure)).toBe(unsure);
  });
});

describe('in the conversation, with the counters /metrics serves', () => {
  test('an unsure first message gets the model\'s verdict; calls and disagreements are counted', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const clock = fixedClock(IN_CAMPAIGN);
    const service = createConversationService({
      config: loadTestConfig(),
      clock,
      logger: silentLogger,
      sessions: new MemorySessionStore(clock),
      locks: new MemoryLockService(),
      dedupe: new MemoryDedupeStore(),
      suggestions: new MemorySuggestions(clock),
      secondOpinion: createSecondOpinion({
        baseUrl: llm.baseUrl,
        model: 'qwen-test',
        timeoutMs: 300,
        onCall: (result) => metrics.llmCalls.inc({ result }),
        onDisagreement: () => metrics.llmDisagreements.inc(),
      }),
    });
    llm.reply = '{"kind":"petition","confidence":0.92}';
    const say = (text: string) => service.handle({ channel: 'dev', senderId: 'c1', messageId: randomUUID(), text, receivedAt: clock.now() });
    // Judged unsure by the local model (a public matter without a proposal): the model calls it a petition.
    const turn = await say('我们村的路什么时候修');
    expect(llm.requests).toHaveLength(1);
    expect(turn.replies.map((r) => r.text).join('\n')).toContain('信访');
    // A clear suggestion is never sent.
    await say('建议在五桥片区增设公交线路，方便学生上下学，早晚高峰每10分钟一班');
    expect(llm.requests).toHaveLength(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('jianyan_llm_calls_total{result="ok"} 1');
    expect(text).toMatch(/jianyan_llm_disagreements_total \d/u);
  });
});
