import type { FieldProblem } from '../../errors.js';
import type { CapabilityQuestion, CapabilityTemplate, IneligibilityReason, RecipientStatus } from './recipients-types.js';

export const DAY_MS = 86_400_000;
/** Reminders go out this long before a re-assessment falls due; `due_soon` uses the same window. */
export const REMINDER_LEAD_DAYS = 30;

const question = (
  id: string,
  section: string,
  weight: number,
  zh: string,
  en: string,
  options: Array<[string, number, string, string, boolean?]>,
): CapabilityQuestion => ({
  id,
  section,
  weight,
  text: { 'zh-CN': zh, en },
  options: options.map(([value, score, z, e, fails]) => ({ value, score, label: { 'zh-CN': z, en: e }, ...(fails ? { fails } : {}) })),
});

/**
 * The shipped capability questionnaire (P6.1: the recipient must have comparable protection
 * capability; P6.3: assessed before engagement and periodically). Weighted questions; some
 * answers fail the assessment whatever the score (no security measures, undisclosed
 * sub-processors, no deletion on termination).
 */
export const DEFAULT_CAPABILITY_TEMPLATE: CapabilityTemplate = {
  id: 'recipient-capability',
  version: 1,
  title: { 'zh-CN': '第三方数据保护能力评估（默认问卷）', en: 'Third-party data protection capability assessment (default questionnaire)' },
  passThreshold: 70,
  questions: [
    question(
      'security_measures',
      'security',
      3,
      '技术与管理安全措施（加密、访问控制、日志审计）',
      'Technical and organisational security measures (encryption, access control, audit logging)',
      [
        ['comprehensive', 1, '全面落实', 'Comprehensive'],
        ['partial', 0.5, '部分落实', 'Partial'],
        ['none', 0, '未落实', 'None', true],
      ],
    ),
    question('iso27001', 'certifications', 2, 'ISO/IEC 27001 信息安全管理体系认证', 'ISO/IEC 27001 certification', [
      ['certified', 1, '已认证且在有效期内', 'Certified and current'],
      ['in_progress', 0.5, '认证进行中', 'In progress'],
      ['no', 0, '无', 'No'],
    ]),
    question('iso27701', 'certifications', 1, 'ISO/IEC 27701 隐私信息管理体系认证', 'ISO/IEC 27701 certification', [
      ['certified', 1, '已认证且在有效期内', 'Certified and current'],
      ['in_progress', 0.5, '认证进行中', 'In progress'],
      ['no', 0, '无', 'No'],
    ]),
    question(
      'mlps_level',
      'certifications',
      2,
      '网络安全等级保护（等保）备案与测评级别',
      'Multi-level protection scheme (MLPS, 等级保护) level',
      [
        ['level3_or_above', 1, '三级及以上', 'Level 3 or above'],
        ['level2', 0.6, '二级', 'Level 2'],
        ['none', 0, '未备案', 'Not filed'],
      ],
    ),
    question('incident_history', 'history', 2, '近三年的安全事件记录', 'Security incidents in the last three years', [
      ['none', 1, '无', 'None'],
      ['minor_resolved', 0.6, '有轻微事件且已处置', 'Minor incidents, resolved'],
      ['major', 0, '有重大事件', 'Major incidents'],
    ]),
    question('sub_processors', 'sub_processors', 2, '委托第三方（再处理者）情况', 'Sub-processors', [
      ['none', 1, '不使用', 'None used'],
      ['disclosed_flow_down', 0.8, '已披露并传递同等义务', 'Disclosed, with the same obligations flowed down'],
      ['undisclosed', 0, '未披露', 'Undisclosed', true],
    ]),
    question('deletion_on_termination', 'termination', 3, '合作终止时删除或返还数据', 'Deletion or return of data on termination', [
      ['contractual_with_certificate', 1, '合同约定并出具删除证明', 'Contractual, with a deletion certificate'],
      ['contractual', 0.7, '合同约定', 'Contractual'],
      ['none', 0, '无约定', 'No commitment', true],
    ]),
    question('breach_notification', 'history', 1, '安全事件告知时限', 'Breach notification to us', [
      ['within_24h', 1, '24 小时内', 'Within 24 hours'],
      ['within_72h', 0.7, '72 小时内', 'Within 72 hours'],
      ['none', 0, '无约定', 'No commitment'],
    ]),
  ],
};

export const CAPABILITY_TEMPLATES: readonly CapabilityTemplate[] = [DEFAULT_CAPABILITY_TEMPLATE];

export function capabilityTemplate(id: string): CapabilityTemplate | undefined {
  return CAPABILITY_TEMPLATES.find((t) => t.id === id);
}

export interface ScoreResult {
  score: number;
  passed: boolean;
  knockouts: string[];
  problems: FieldProblem[];
}

/**
 * Score a complete questionnaire: the weighted share of points earned, 0-100 (rounded down, so
 * a pass is never rounded into being). It passes at the threshold with no failing answer.
 */
export function scoreAssessment(template: CapabilityTemplate, answers: ReadonlyArray<{ questionId: string; value: string }>): ScoreResult {
  const problems: FieldProblem[] = [];
  const byId = new Map<string, string>();
  answers.forEach((a, i) => {
    if (!template.questions.some((q) => q.id === a.questionId))
      problems.push({ field: `answers.${i}.questionId`, reason: 'unknown_question' });
    else if (byId.has(a.questionId)) problems.push({ field: `answers.${i}.questionId`, reason: 'duplicate_answer' });
    else byId.set(a.questionId, a.value);
  });
  let earned = 0;
  let total = 0;
  const knockouts: string[] = [];
  for (const q of template.questions) {
    total += q.weight;
    const value = byId.get(q.id);
    if (value === undefined) {
      problems.push({ field: `answers.${q.id}`, reason: 'required' });
      continue;
    }
    const opt = q.options.find((o) => o.value === value);
    if (!opt) {
      problems.push({ field: `answers.${q.id}`, reason: 'unknown_option' });
      continue;
    }
    earned += q.weight * opt.score;
    if (opt.fails) knockouts.push(q.id);
  }
  const score = total > 0 ? Math.floor((100 * earned) / total + 1e-9) : 0;
  return { score, passed: score >= template.passThreshold && knockouts.length === 0, knockouts, problems };
}

export type CommitmentState = 'in_force' | 'expired' | 'future';

export function commitmentState(c: { effectiveFrom: Date; expiresAt: Date }, now: Date): CommitmentState {
  if (c.effectiveFrom.getTime() > now.getTime()) return 'future';
  return c.expiresAt.getTime() > now.getTime() ? 'in_force' : 'expired';
}

export function reassessmentState(status: RecipientStatus, dueAt: Date | null, now: Date): 'overdue' | 'due_soon' | 'ok' | 'none' {
  if (status === 'terminated' || !dueAt) return 'none';
  if (dueAt.getTime() <= now.getTime()) return 'overdue';
  return dueAt.getTime() - now.getTime() <= REMINDER_LEAD_DAYS * DAY_MS ? 'due_soon' : 'ok';
}

export interface EligibilityFacts {
  status: RecipientStatus;
  crossBorder: boolean;
  reassessmentDueAt: Date | null;
  latestAssessment: { passed: boolean } | null;
  /** Commitments recorded with the commitment to this policy. */
  commitments: ReadonlyArray<{ effectiveFrom: Date; expiresAt: Date }>;
  hasCompletedImpactAssessment: boolean;
}

/**
 * Why the recipient may not receive customer PI at `now` (P6.1, P6.3), every reason at once; an
 * empty list means it may. `asIfApproved` asks whether approval (or reinstatement) would make it
 * eligible.
 */
export function ineligibility(f: EligibilityFacts, now: Date, asIfApproved = false): IneligibilityReason[] {
  const reasons: IneligibilityReason[] = [];
  if (f.status === 'terminated') reasons.push('terminated');
  else if (!asIfApproved && f.status === 'suspended') reasons.push('suspended');
  else if (!asIfApproved && f.status === 'pending') reasons.push('not_approved');
  if (f.status !== 'terminated') {
    if (!f.latestAssessment) reasons.push('not_assessed');
    if (f.latestAssessment && !f.latestAssessment.passed) reasons.push('assessment_failed');
    const states = f.commitments.map((c) => commitmentState(c, now));
    if (!states.includes('in_force')) reasons.push(states.includes('expired') ? 'commitment_expired' : 'no_commitment');
    if (f.reassessmentDueAt && f.reassessmentDueAt.getTime() <= now.getTime()) reasons.push('reassessment_overdue');
    if (f.crossBorder && !f.hasCompletedImpactAssessment) reasons.push('impact_assessment_missing');
  }
  return [...new Set(reasons)];
}
