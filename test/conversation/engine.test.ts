import { describe, expect, test } from 'vitest';
import { advance, buildFlowContext, defaultJudgement, settle, type FlowContext, type Session } from '../../src/conversation/index.js';
import { loadTestConfig } from '../../src/infra/config.js';
import { citizenSuggestionFlow } from '../../flows/index.js';
import { good } from '../helpers/conversation.js';

// The engine is a pure function: these run it without stores, locks or a service.
const config = loadTestConfig();
const ctx = (now = '2021-07-01T10:00:00+08:00'): FlowContext =>
  buildFlowContext({ config, now: new Date(now), judge: defaultJudgement, citizen: { channel: 'dev', id: 'u1' } });

function run(messages: string[]): Session {
  let s: Session | undefined;
  for (const text of messages) s = advance(citizenSuggestionFlow, s, { text }, ctx()).session;
  return s!;
}

const toConfirm = ['我想提建议', '1', good.title, '3', ...good.proposal, '完成', good.feasibility, '完成', good.identity];

describe('advance(flow, session, message) → { session, replies, effects }', () => {
  test('confirming describes a submit effect with an idempotency key instead of storing anything', () => {
    const s = run(toConfirm);
    expect(s.stepId).toBe('confirm');
    const r = advance(citizenSuggestionFlow, s, { text: '确认' }, ctx());
    expect(r.replies).toEqual([]);
    expect(r.effects).toHaveLength(1);
    const [effect] = r.effects;
    expect(effect).toMatchObject({ type: 'submitSuggestion', submission: { title: good.title, campaign: 'wz2021' } });
    expect(r.session.pendingSubmit).toBe((effect as { submissionKey: string }).submissionKey);
  });

  test('while a submission is pending every message asks for it again with the same key', () => {
    const s = run(toConfirm);
    const first = advance(citizenSuggestionFlow, s, { text: '确认' }, ctx());
    const again = advance(citizenSuggestionFlow, first.session, { text: '在吗' }, ctx());
    expect(again.effects[0]).toMatchObject({ type: 'submitSuggestion', submissionKey: first.session.pendingSubmit });
  });

  test('settle turns the stored reference into the closing reply and clears the answers', () => {
    const s = run(toConfirm);
    const pending = advance(citizenSuggestionFlow, s, { text: '确认' }, ctx()).session;
    const done = settle(citizenSuggestionFlow, pending, { type: 'submitSuggestion', ok: true, result: { reference: 'WZ2021-000007', created: true } }, ctx());
    expect(done.session.stepId).toBe('submitted');
    expect(done.session.reference).toBe('WZ2021-000007');
    expect(done.session.answers).toEqual({});
    expect(done.replies[0]?.text).toContain('WZ2021-000007');
  });

  test('the input session is not modified', () => {
    const s = run(['我想提建议', '1']);
    const before = structuredClone(s);
    advance(citizenSuggestionFlow, s, { text: good.title }, ctx());
    expect(s).toEqual(before);
  });

  test('a finished session is small and plain JSON', () => {
    const s = run(toConfirm);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(JSON.stringify(s).length).toBeLessThan(2048);
  });
});
