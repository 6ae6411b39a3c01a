/** Issue 14: questions after one's own earlier suggestion are progress queries, not petitions. */
import { describe, expect, test } from 'vitest';
import { judgeScope } from '../../src/judgement/scope-classifier.js';
import { referralFor } from '../../src/judgement/referral.js';

describe('progress questions in plain words', () => {
  test.each([
    '我想问一下 我去年提的那个建议 说是转给交通局了 到现在都没人给我打电话',
    '你好，我上个月提的建议，编号WZ2021-000001，现在有结果没有？',
    '我是问建议的进度 咋个查嘛',
    '上次交的建议石沉大海了',
    '我前段时间反映的那个意见 有没有人管哦',
  ])('%s → a question about the campaign, answered with how to follow it up', (text) => {
    const v = judgeScope(text);
    expect(v).toMatchObject({ kind: 'out_of_scope', category: 'consultation' });
    expect(referralFor('consultation', text)).toBe('progress');
  });

  test('a general question about replies is the campaign answer, a personal grievance still a petition', () => {
    expect(referralFor('consultation', '提建议有没有奖励')).toBe('campaign');
    expect(judgeScope('我家的低保申请交了半年了 没人管')).toMatchObject({ kind: 'out_of_scope', category: 'petition' });
  });

  test('a suggestion about making progress public is still a suggestion', () => {
    expect(judgeScope('建议把信访事项的办理进度在网上公开').kind).toBe('suggestion');
  });
});
