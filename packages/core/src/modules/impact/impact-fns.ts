import type { FieldProblem } from '../../errors.js';
import type { ImpactAnswer, PiaQuestion, PiaTemplate, ImpactRiskLevel } from './impact-types.js';

const RANK: Record<ImpactRiskLevel, number> = { low: 0, medium: 1, high: 2 };

export function maxRisk(a: ImpactRiskLevel, b: ImpactRiskLevel): ImpactRiskLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

export function riskBelow(declared: ImpactRiskLevel, floor: ImpactRiskLevel): boolean {
  return RANK[declared] < RANK[floor];
}

const q = (
  id: string,
  section: PiaQuestion['section'],
  zh: string,
  en: string,
  options?: Array<[string, ImpactRiskLevel, string, string]>,
  extra: Partial<PiaQuestion> = {},
): PiaQuestion => ({
  id,
  section,
  kind: options ? 'choice' : 'text',
  required: true,
  text: { 'zh-CN': zh, en },
  ...(options ? { options: options.map(([value, risk, z, e]) => ({ value, risk, label: { 'zh-CN': z, en: e } })) } : {}),
  ...extra,
});

/**
 * The shipped personal-information impact assessment template (PIPL Art. 55-56, GB/T 35273
 * §11.4): purpose legitimacy and necessity, impact on individuals, security measures, cross-border
 * transfer, and the conclusion. Each option sets a floor on the risk level.
 */
export const DEFAULT_PIA_TEMPLATE: PiaTemplate = {
  id: 'pia-default',
  version: 1,
  title: { 'zh-CN': '个人信息保护影响评估（默认模板）', en: 'Personal information protection impact assessment (default template)' },
  questions: [
    q('purpose', 'purpose', '处理目的与方式（向谁提供、提供什么、为什么）', 'Purpose and method (to whom, what, why)'),
    q(
      'legal_basis',
      'purpose',
      '目的是否合法、正当，是否有明确的法律依据或单独同意',
      'Is the purpose lawful and legitimate, with a clear legal basis or separate consent?',
      [
        ['documented', 'low', '有明确依据并已记录', 'Basis documented'],
        ['partial', 'medium', '依据部分明确', 'Basis partly documented'],
        ['unclear', 'high', '依据不明确', 'Basis unclear'],
      ],
    ),
    q(
      'necessity',
      'purpose',
      '提供的字段与范围是否为实现目的所必需（最小必要）',
      'Are the fields and scope necessary for the purpose (minimum necessary)?',
      [
        ['minimal', 'low', '仅最小必要字段', 'Minimal fields only'],
        ['some_excess', 'medium', '存在部分非必要字段', 'Some fields beyond what is necessary'],
        ['excessive', 'high', '范围明显过大', 'Clearly excessive'],
      ],
    ),
    q('necessity_explanation', 'purpose', '必要性说明', 'Why each field is necessary'),
    q('sensitive_pi', 'impact', '是否涉及敏感个人信息', 'Does it involve sensitive personal information?', [
      ['none', 'low', '不涉及', 'None'],
      ['some', 'medium', '涉及少量', 'Some'],
      ['large_scale', 'high', '大量或核心敏感信息', 'Large-scale or core sensitive PI'],
    ]),
    q('individuals_affected', 'impact', '涉及的个人数量', 'Number of individuals affected', [
      ['under_1k', 'low', '少于 1,000 人', 'Fewer than 1,000'],
      ['under_100k', 'medium', '1,000 至 100,000 人', '1,000 to 100,000'],
      ['over_100k', 'high', '超过 100,000 人', 'More than 100,000'],
    ]),
    q('impact_on_individuals', 'impact', '对个人权益的影响程度', 'Impact on individuals’ rights and interests', [
      ['minimal', 'low', '轻微', 'Minimal'],
      ['moderate', 'medium', '中等', 'Moderate'],
      ['severe', 'high', '严重（歧视、财产损失、人身危害等）', 'Severe (discrimination, financial loss, harm)'],
    ]),
    q('impact_description', 'impact', '可能的影响与个人的救济途径', 'Possible impact and how individuals can seek redress'),
    q(
      'security_measures',
      'security',
      '接收方与传输过程的安全保护措施是否合法、有效并与风险相适应',
      'Are the security measures (recipient and transfer) lawful, effective and proportionate to the risk?',
      [
        ['adequate', 'low', '充分', 'Adequate'],
        ['partial', 'medium', '部分到位', 'Partly in place'],
        ['inadequate', 'high', '不足', 'Inadequate'],
      ],
    ),
    q(
      'cross_border',
      'cross_border',
      '是否向境外提供（含港澳台）',
      'Is PI provided outside mainland China (including HK, Macao, Taiwan)?',
      [
        ['no', 'low', '否', 'No'],
        ['standard_contract', 'medium', '是，已签订标准合同或通过认证', 'Yes, under a standard contract or certification'],
        ['security_assessment', 'medium', '是，已通过网信部门安全评估', 'Yes, after a CAC security assessment'],
        ['no_mechanism', 'high', '是，尚无合规出境机制', 'Yes, without a lawful transfer mechanism yet'],
      ],
    ),
    q('mitigations', 'conclusion', '风险缓解措施', 'Risk mitigations', undefined, { required: false, requiredWhenHighRisk: true }),
  ],
};

export const PIA_TEMPLATES: readonly PiaTemplate[] = [DEFAULT_PIA_TEMPLATE];

export function piaTemplate(id: string): PiaTemplate | undefined {
  return PIA_TEMPLATES.find((t) => t.id === id);
}

export const CROSS_BORDER_YES = new Set(['standard_contract', 'security_assessment', 'no_mechanism']);

/** Answers that name unknown questions or options, or repeat a question: refused even in a draft. */
export function answerProblems(template: PiaTemplate, answers: readonly ImpactAnswer[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  answers.forEach((a, i) => {
    const question = template.questions.find((x) => x.id === a.questionId);
    if (!question) return problems.push({ field: `answers.${i}.questionId`, reason: 'unknown_question' });
    if (seen.has(a.questionId)) return problems.push({ field: `answers.${i}.questionId`, reason: 'duplicate_answer' });
    seen.add(a.questionId);
    if (question.kind === 'choice' && !question.options?.some((o) => o.value === a.value))
      problems.push({ field: `answers.${i}.value`, reason: 'unknown_option' });
    return undefined;
  });
  return problems;
}

/** The lowest risk level the answers allow: the highest floor any chosen option sets. */
export function computedRisk(template: PiaTemplate, answers: readonly ImpactAnswer[]): ImpactRiskLevel {
  let risk: ImpactRiskLevel = 'low';
  for (const a of answers) {
    const opt = template.questions.find((x) => x.id === a.questionId)?.options?.find((o) => o.value === a.value);
    if (opt) risk = maxRisk(risk, opt.risk);
  }
  return risk;
}

/** Required questions without an answer, given the risk level the assessment will carry. */
export function missingAnswers(template: PiaTemplate, answers: readonly ImpactAnswer[], risk: ImpactRiskLevel): string[] {
  const answered = new Set(answers.map((a) => a.questionId));
  return template.questions
    .filter((x) => (x.required || (x.requiredWhenHighRisk && risk === 'high')) && !answered.has(x.id))
    .map((x) => x.id);
}
