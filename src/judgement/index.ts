/**
 * The judgement part's public API: scope, quality, identity parsing, category and similar suggestions.
 * Everything here is pure and synchronous except the similarity index, which holds its own state.
 */
export type {
  IdentityFields,
  OutOfScopeKind,
  PhoneResult,
  QualityProblem,
  QualityVerdict,
  ScopeVerdict,
} from './judgement-types.js';
export { judgeScope } from './scope-classifier.js';
export { judgeDraft, emergencyAt, SCOPE_SCREENING_FLAG, type DraftVerdict, type DraftOptions, type DraftReason, type EmergencyVerdict } from './draft-judgement.js';
export { referralFor, REFERRAL_KEYS, type ReferralKey } from './referral.js';
export { isEmergency } from './scope-rules.js';
export { coachQuality, type QualityOptions } from './quality-coach.js';
export { parsePhone, extractIdentity } from './identity-parser.js';
export { inferCategory } from './category.js';
export {
  createSimilarityIndex,
  type SimilarityEntry,
  type SimilarityIndex,
  type SimilarityOptions,
  type SimilarityQuery,
  type SimilarMatch,
} from './similarity-index.js';
export { SCOPE_THRESHOLDS } from './scope-classifier.js';
