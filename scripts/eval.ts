/**
 * `npm run eval`: the judgement figures.
 * - Scope on the frozen test split (corpus/test/scope-test.txt, written before any tuning) with the
 *   committed model: per-kind precision and recall, the confusion table, the share of first messages asked.
 * - Scope by 5-fold cross-validation on the training corpus (a model trained per fold).
 * - Quality on the frozen test split of proposals, and on the training corpus.
 * - Identity: name, phone and unit read from messages typed at the identity step (corpus/identity-cases.txt).
 * - Turns (what each message typed at a step is) on the held-out turn corpus: per-class precision and
 *   recall, which command and FAQ entry, answers cleaned exactly; with `--train`, 5-fold CV on train.
 * `--errors` lists the misjudged training messages (never the test split's: it is not for tuning).
 */
import { crossValidateScope, evaluateScopeTest, formatScopeReport } from '../src/judgement/eval/scope-eval.js';
import { evaluateQuality, formatQualityReport } from '../src/judgement/eval/quality-eval.js';
import { evaluateIdentity, formatIdentityReport } from '../src/judgement/eval/identity-eval.js';
import { evaluateTurns, formatTurnReport } from '../src/conversation/understanding/turn-eval.js';

const errors = process.argv.includes('--errors');
const cv = !process.argv.includes('--no-cv');
const turnSplit = process.argv.includes('--train') ? 'train' : 'heldout';
console.log(formatScopeReport(evaluateScopeTest()));
console.log();
if (cv) {
  console.log(formatScopeReport(crossValidateScope(), { errors }));
  console.log();
}
console.log(formatQualityReport(evaluateQuality('test')));
console.log();
console.log(formatQualityReport(evaluateQuality('train'), { errors }));
console.log();
console.log(formatIdentityReport(evaluateIdentity(), { errors }));
console.log();
console.log(formatTurnReport(evaluateTurns(turnSplit)));
