/**
 * The suggestion document (mongoose). One document holds the suggestion, its assignments, its history and
 * its notification outbox, so every status change and the notifications it causes are one atomic write.
 */
import { Schema, type Connection, type Model, type InferSchemaType } from 'mongoose';

const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    from: String,
    to: String,
    note: String,
  },
  { _id: false },
);

const assignmentSchema = new Schema(
  {
    unit: { type: String, required: true },
    assignedAt: { type: Date, required: true },
    acceptDueAt: Date,
    dueAt: Date,
    acceptedAt: Date,
    acceptedBy: String,
    answeredAt: Date,
    answer: {
      type: new Schema({ outcome: String, text: String, by: String, at: Date, reason: String }, { _id: false }),
      default: undefined,
    },
    returnedAt: Date,
    returnReason: String,
    // Handling (src/handling/handling-service.ts): an assignment stays `active` until the unit returns
    // it or the office reassigns; ended ones are kept for the record (returnedAt = when it ended).
    seq: Number,
    active: { type: Boolean, default: true },
    endReason: { type: String, enum: ['returned', 'reassigned', 'rejected', 'withdrawn'] },
    /** task_id of the 受理/退回 card sent to the unit's members. */
    cardTaskId: String,
    remindAt: Date,
    remindedAt: Date,
    acceptOverdueAt: Date,
    overdueAt: Date,
    /** A member clicked 退回 and is being asked for the reason. */
    returnRequestedBy: String,
    returnRequestedAt: Date,
  },
  { _id: false },
);

const outboxSchema = new Schema(
  {
    id: { type: String, required: true },
    kind: { type: String, required: true },
    target: { type: Schema.Types.Mixed, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    state: { type: String, enum: ['pending', 'delivered', 'dead'], default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    claimedBy: String,
    claimedUntil: Date,
    lastError: String,
    deliveredAt: Date,
  },
  { _id: false },
);

/** Leaders' review (呈报区领导阅批): who escalated, the instruction (批示) and the assignment it led to. */
const escalationSchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: String, required: true },
    note: String,
    instruction: {
      type: new Schema({ leader: String, text: String, at: Date, recordedBy: String, assignedUnits: [String] }, { _id: false }),
      default: undefined,
    },
  },
  { _id: false },
);

/** Recommendation to the city collection office (市征集办) and its outcome. */
const cityRecommendationSchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: String, required: true },
    note: String,
    outcome: { type: String, enum: ['pending', 'adopted', 'not_adopted'], default: 'pending' },
    outcomeNote: String,
    outcomeAt: Date,
    outcomeBy: String,
  },
  { _id: false },
);

/** An award nomination (表彰奖励) of an adopted suggestion for one award year. */
const awardSchema = new Schema(
  {
    year: { type: Number, required: true },
    tier: { type: String, required: true },
    tierName: { type: String, required: true },
    amountYuan: { type: Number, required: true },
    note: String,
    nominatedAt: { type: Date, required: true },
    nominatedBy: { type: String, required: true },
  },
  { _id: false },
);

export const suggestionSchema = new Schema(
  {
    reference: { type: String, required: true, unique: true },
    submissionKey: { type: String, required: true, unique: true },
    campaign: { type: String, required: true },
    theme: { type: String, required: true },
    themeName: { type: String, required: true },
    category: { type: String, enum: ['policy', 'work', 'problem', 'innovation'] },
    title: { type: String, required: true },
    proposal: { type: String, required: true },
    feasibility: { type: String, default: '' },
    proposer: {
      type: new Schema({ name: { type: String, required: true }, phone: { type: String, required: true }, unit: { type: String, required: true } }, { _id: false }),
      required: true,
    },
    citizen: {
      type: new Schema({ channel: { type: String, required: true }, id: { type: String, required: true } }, { _id: false }),
      required: true,
    },
    enteredBy: {
      type: new Schema({ agent: String, unit: String, consentAt: Date, enteredAt: Date }, { _id: false }),
      default: undefined,
    },
    level: { type: String, enum: ['district', 'city'], default: 'district' },
    status: {
      type: String,
      required: true,
      enum: ['submitted', 'assigned', 'accepted', 'answered', 'evaluated', 'closed', 'returned', 'escalated', 'recommended_to_city', 'rejected', 'withdrawn'],
    },
    qualityFlags: { type: [String], default: [] },
    valuable: { type: Boolean, default: false },
    submittedAt: { type: Date, required: true },
    assignments: { type: [assignmentSchema], default: [] },
    evaluation: {
      type: new Schema({ rating: String, comment: String, at: Date }, { _id: false }),
      default: undefined,
    },
    valuableNote: String,
    escalation: { type: escalationSchema, default: undefined },
    cityRecommendation: { type: cityRecommendationSchema, default: undefined },
    awards: { type: [awardSchema], default: [] },
    history: { type: [historySchema], default: [] },
    outbox: { type: [outboxSchema], default: [] },
    /** Revision: every handling change requires the revision it read (optimistic concurrency). */
    rev: { type: Number, default: 0 },
    /** The routing decision (src/routing). `needsScreening`: waiting for the office to assign. */
    routing: {
      type: new Schema(
        { decidedAt: Date, units: [String], ruleId: String, needsScreening: Boolean, screeningReason: String },
        { _id: false },
      ),
      default: undefined,
    },
    rejection: { type: new Schema({ reason: String, by: String, at: Date }, { _id: false }), default: undefined },
    /** When the citizen was asked to rate the answer. */
    ratingRequestedAt: Date,
    /** When the citizen could first see the rating request (sent, or shown with their next message). */
    ratingShownAt: Date,
    /**
     * Earlier suggestions like this one when it was submitted (src/suggestions/similar-suggestions.ts),
     * most similar first: the office sees the links in the admin API.
     */
    similarTo: {
      type: [new Schema({ reference: { type: String, required: true }, score: { type: Number, required: true } }, { _id: false })],
      default: undefined,
    },
    /** The office's internal notes (never shown to the citizen or the units' members). */
    internalNotes: {
      type: [new Schema({ at: { type: Date, required: true }, by: { type: String, required: true }, text: { type: String, required: true } }, { _id: false })],
      default: undefined,
    },
    /** Set when the office marked this a duplicate of an earlier suggestion. */
    duplicateOf: {
      type: new Schema({ reference: { type: String, required: true }, at: Date, by: String }, { _id: false }),
      default: undefined,
    },
    /** Attachments sent with the draft (src/attachments): ids into the `attachments` collection. */
    attachments: {
      type: [
        new Schema(
          { id: { type: String, required: true }, kind: { type: String, required: true }, location: { type: { latitude: Number, longitude: Number, name: String, address: String }, default: undefined, _id: false } },
          { _id: false },
        ),
      ],
      default: undefined,
    },
  },
  { timestamps: true, collection: 'suggestions' },
);
suggestionSchema.index({ 'citizen.channel': 1, 'citizen.id': 1, submittedAt: -1 });
// By status, in submission order either way (read backwards for newest first); `_id` breaks ties so the
// deadline report's pages over the open statuses are stable and merge-sorted from the index.
suggestionSchema.index({ status: 1, submittedAt: 1, _id: 1 });
suggestionSchema.index({ 'assignments.cardTaskId': 1 }, { sparse: true });
// The dispatcher's scan.
suggestionSchema.index({ 'outbox.state': 1, 'outbox.nextAttemptAt': 1 });

export type SuggestionDoc = InferSchemaType<typeof suggestionSchema> & { _id: unknown };
export type SuggestionModel = Model<InferSchemaType<typeof suggestionSchema>>;

const counterSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { collection: 'counters', versionKey: false });
export type CounterModel = Model<{ _id: string; seq: number }>;

export interface SuggestionModels {
  Suggestion: SuggestionModel;
  Counter: CounterModel;
}

/** Registers the models on a connection (each test or worker has its own connection). */
export function createSuggestionModels(conn: Connection): SuggestionModels {
  return {
    Suggestion: (conn.models.Suggestion as SuggestionModel | undefined) ?? (conn.model('Suggestion', suggestionSchema) as unknown as SuggestionModel),
    Counter: (conn.models.Counter as CounterModel | undefined) ?? (conn.model('Counter', counterSchema) as unknown as CounterModel),
  };
}
