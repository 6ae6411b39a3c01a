/**
 * `npm run eval`: the judgement figures on the held-out part of the labelled corpora.
 * Scope: per-kind precision / recall, out-of-scope recall, in-scope messages wrongly refused, unsure rate,
 * and the confusion by kind. Quality: per-problem precision / recall and accuracy. Turns (what each message
 * typed at a step is): per-class precision / recall, which command and FAQ entry, answers cleaned exactly.
 */
import { evaluateScope, formatScopeReport } from '../src/judgement/eval/scope-eval.js';
import { evaluateQuality, formatQualityReport } from '../src/judgement/eval/quality-eval.js';
import { evaluateTurns, formatTurnReport } from '../src/conversation/understanding/turn-eval.js';

const split = process.argv.includes('--train') ? 'train' : 'heldout';
console.log(formatScopeReport(evaluateScope(split)));
console.log();
console.log(formatQualityReport(evaluateQuality(split)));
console.log();
console.log(formatTurnReport(evaluateTurns(split)));
