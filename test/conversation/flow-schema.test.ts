import { describe, expect, test } from 'vitest';
import { FlowDefinitionError, validateFlow, type FlowDefinition } from '../../src/conversation/flow-schema.js';
import { citizenSuggestionFlow, flows } from '../../flows/index.js';

const prompt = () => ({ text: 'q' });
const parse = (t: string) => ({ ok: true as const, value: t });
const tiny = (steps: FlowDefinition['steps'], start = 'a'): FlowDefinition => ({
  id: 'tiny',
  version: 1,
  start,
  resumeReminderAfterMinutes: 60,
  steps,
});

describe('flows are validated at start-up', () => {
  test('the registered flows are valid', () => {
    expect([...flows.keys()]).toEqual(['citizen-suggestion', 'agent-proxy']);
    expect(() => validateFlow(citizenSuggestionFlow)).not.toThrow();
  });

  test('a duplicate step id is named', () => {
    const f = tiny([
      { id: 'a', kind: 'text', label: 'A', answerKey: 'a', limit: 'titleMaxChars', prompt, parse, next: 'a' },
      { id: 'a', kind: 'end', label: 'end', state: 'submitted', prompt },
    ]);
    expect(() => validateFlow(f)).toThrow(/duplicate step id "a"/);
  });

  test('a next that does not exist is named', () => {
    const f = tiny([
      { id: 'a', kind: 'text', label: 'A', answerKey: 'a', limit: 'titleMaxChars', prompt, parse, next: 'feasability' },
      { id: 'done', kind: 'end', label: 'end', state: 'submitted', prompt },
    ]);
    expect(() => validateFlow(f)).toThrow(/next step "feasability" does not exist/);
  });

  test('a flow that can never end is refused', () => {
    const f = tiny([
      { id: 'a', kind: 'text', label: 'A', answerKey: 'a', limit: 'titleMaxChars', prompt, parse, next: 'b' },
      { id: 'b', kind: 'text', label: 'B', answerKey: 'b', limit: 'titleMaxChars', prompt, parse, next: 'a' },
      { id: 'done', kind: 'end', label: 'end', state: 'submitted', prompt },
    ]);
    expect(() => validateFlow(f)).toThrow(FlowDefinitionError);
    expect(() => validateFlow(f)).toThrow(/no end step is reachable/);
  });

  test('a review that offers to edit an unknown field is refused', () => {
    const f = tiny([
      { id: 'a', kind: 'review', label: 'A', prompt, build: () => ({}) as never, editable: ['nickname'], next: 'done' },
      { id: 'done', kind: 'end', label: 'end', state: 'submitted', prompt },
    ]);
    expect(() => validateFlow(f)).toThrow(/"nickname" is neither a step nor a field/);
  });

  test('a new flow built from the same step kinds needs no engine change', () => {
    const evaluation = tiny(
      [
        {
          id: 'rating',
          kind: 'choice',
          label: '满意度',
          answerKey: 'rating',
          prompt,
          options: () => [
            { id: 'satisfied', label: '满意' },
            { id: 'unsatisfied', label: '不满意' },
          ],
          invalidReply: '请回复1或2。',
          next: 'comment',
        },
        { id: 'comment', kind: 'collect', label: '意见', answerKey: 'comment', limit: 'feasibilityMaxChars', prompt, checks: [], ack: () => '已记录', next: 'done' },
        { id: 'done', kind: 'end', label: '完成', state: 'submitted', prompt },
      ],
      'rating',
    );
    expect(() => validateFlow(evaluation)).not.toThrow();
  });
});
