/** Fixtures for recipients and impact assessments (P6.1, P6.3): valid codes, answers, an approved recipient. */
import { createHash, randomBytes } from 'node:crypto';
import {
  DEFAULT_CAPABILITY_TEMPLATE,
  DEFAULT_PIA_TEMPLATE,
  usccCheckChar,
  type Actor,
  type AssessRecipientInput,
  type Core,
  type CreateImpactAssessmentInput,
  type CreateRecipientInput,
  type RecipientDetail,
} from '../src/index.js';

export const DAY = 86_400_000;
export const hex = () => createHash('sha256').update(randomBytes(16)).digest('hex');
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid unified social credit code (GB 32100) with a random body. */
export function uscc(): string {
  let body = '91';
  for (let i = 0; i < 6; i++) body += String(randomBytes(1)[0]! % 10);
  for (let i = 0; i < 9; i++) body += CHARSET[randomBytes(1)[0]! % CHARSET.length];
  return body + usccCheckChar(body);
}

/** Every question answered with its best option: a score of 100. */
export const passingAnswers = (): AssessRecipientInput['answers'] =>
  DEFAULT_CAPABILITY_TEMPLATE.questions.map((q) => ({ questionId: q.id, value: q.options[0]!.value }));
/** Every question answered with its worst option: fails on score and knock-outs. */
export const failingAnswers = (): AssessRecipientInput['answers'] =>
  DEFAULT_CAPABILITY_TEMPLATE.questions.map((q) => ({ questionId: q.id, value: q.options.at(-1)!.value }));

/** A complete PIA draft: first option of each choice question, some text for the others. */
export const piaAnswers = (over: Record<string, string> = {}): NonNullable<CreateImpactAssessmentInput['answers']> =>
  DEFAULT_PIA_TEMPLATE.questions
    .filter((q) => q.required)
    .map((q) => ({ questionId: q.id, value: over[q.id] ?? (q.kind === 'choice' ? q.options![0]!.value : '说明 / explanation') }));

/**
 * A recipient registered by `by.registrar`, assessed (passing) by `by.assessor`, with a commitment,
 * approved by `by.approver`.
 */
export async function approvedRecipient(
  core: Core,
  by: { registrar: Actor; assessor: Actor; approver: Actor },
  over: Partial<CreateRecipientInput> = {},
): Promise<RecipientDetail> {
  const r = await core.recipients.create(by.registrar, {
    legalName: `上海某某数据服务有限公司 ${randomBytes(2).toString('hex')}`,
    uscc: uscc(),
    contact: { name: '王经理', email: 'privacy@vendor.example.cn', phone: '021-62345678' },
    country: 'CN',
    region: '上海市',
    dataCategories: ['name', 'mobile'],
    purpose: '会员积分兑换的物流配送',
    reassessmentIntervalDays: 365,
    ...over,
  });
  const id = r.recipient.id;
  await core.recipients.assess(by.assessor, id, { answers: passingAnswers() });
  await core.recipients.recordCommitment(by.registrar, id, {
    agreementSha256: hex(),
    agreementFilename: 'dpa-signed.pdf',
    committedToPolicy: true,
    policyVersion: '2025.1',
    effectiveFrom: new Date(Date.now() - DAY).toISOString(),
    expiresAt: new Date(Date.now() + 400 * DAY).toISOString(),
  });
  return core.recipients.approve(by.approver, id, { comment: '同意' });
}

/** A completed impact assessment about a subject kind, drafted by `author` and completed by `approver`. */
export async function completedImpactAssessment(
  core: Core,
  author: Actor,
  approver: Actor,
  subjectKind: CreateImpactAssessmentInput['subjectKind'],
  subjectRef?: string,
): Promise<string> {
  const draft = await core.impact.create(author, {
    subjectKind,
    ...(subjectRef ? { subjectRef } : {}),
    title: '共享影响评估',
    answers: [...piaAnswers(), { questionId: 'mitigations', value: '去标识化后提供' }],
  });
  return (await core.impact.complete(approver, draft.id)).id;
}
