import { describe, expect, it } from 'vitest';
import {
  commitmentState,
  DEFAULT_CAPABILITY_TEMPLATE,
  ineligibility,
  reassessmentState,
  scoreAssessment,
  type EligibilityFacts,
} from './recipients-fns.js';

const DAY = 86_400_000;
const now = new Date('2026-03-01T00:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY);
const best = DEFAULT_CAPABILITY_TEMPLATE.questions.map((q) => ({ questionId: q.id, value: q.options[0]!.value }));

describe('scoreAssessment', () => {
  it('scores weighted answers, rounding down, and passes at the threshold', () => {
    expect(scoreAssessment(DEFAULT_CAPABILITY_TEMPLATE, best)).toEqual({ score: 100, passed: true, knockouts: [], problems: [] });
    // iso27001 "no" (weight 2 of 16) and mlps level 2 (0.6 of weight 2): 16 - 2 - 0.8 = 13.2 of 16 = 82.5.
    const r = scoreAssessment(
      DEFAULT_CAPABILITY_TEMPLATE,
      best.map((a) =>
        a.questionId === 'iso27001' ? { ...a, value: 'no' } : a.questionId === 'mlps_level' ? { ...a, value: 'level2' } : a,
      ),
    );
    expect(r).toMatchObject({ score: 82, passed: true });
  });

  it('fails on a knock-out answer whatever the score, and names missing, unknown and repeated answers', () => {
    const r = scoreAssessment(
      DEFAULT_CAPABILITY_TEMPLATE,
      best.map((a) => (a.questionId === 'sub_processors' ? { ...a, value: 'undisclosed' } : a)),
    );
    expect(r).toMatchObject({ score: 87, passed: false, knockouts: ['sub_processors'] });
    const bad = scoreAssessment(DEFAULT_CAPABILITY_TEMPLATE, [
      ...best.slice(1),
      { questionId: 'iso27001', value: 'no' },
      { questionId: 'mystery', value: 'x' },
      { questionId: 'security_measures', value: 'maybe' },
    ]);
    expect(bad.problems).toEqual([
      { field: 'answers.7.questionId', reason: 'duplicate_answer' },
      { field: 'answers.8.questionId', reason: 'unknown_question' },
      { field: 'answers.security_measures', reason: 'unknown_option' },
    ]);
  });
});

describe('eligibility', () => {
  const approved: EligibilityFacts = {
    status: 'approved',
    crossBorder: false,
    reassessmentDueAt: at(100),
    latestAssessment: { passed: true },
    commitments: [{ effectiveFrom: at(-10), expiresAt: at(50) }],
    hasCompletedImpactAssessment: false,
  };

  it('allows an approved, committed, assessed recipient and lists every reason otherwise', () => {
    expect(ineligibility(approved, now)).toEqual([]);
    expect(ineligibility({ ...approved, status: 'suspended' }, now)).toEqual(['suspended']);
    expect(ineligibility({ ...approved, status: 'terminated' }, now)).toEqual(['terminated']);
    expect(ineligibility(approved, at(60))).toEqual(['commitment_expired']);
    expect(ineligibility(approved, at(101))).toEqual(['commitment_expired', 'reassessment_overdue']);
    expect(ineligibility({ ...approved, crossBorder: true }, now)).toEqual(['impact_assessment_missing']);
    expect(ineligibility({ ...approved, crossBorder: true, hasCompletedImpactAssessment: true }, now)).toEqual([]);
    expect(ineligibility({ ...approved, commitments: [{ effectiveFrom: at(5), expiresAt: at(50) }] }, now)).toEqual(['no_commitment']);
    expect(
      ineligibility({ ...approved, status: 'pending', latestAssessment: null, reassessmentDueAt: null, commitments: [] }, now),
    ).toEqual(['not_approved', 'not_assessed', 'no_commitment']);
    // What approval would need.
    expect(ineligibility({ ...approved, status: 'pending', latestAssessment: { passed: false } }, now, true)).toEqual([
      'assessment_failed',
    ]);
  });

  it('classifies commitments and re-assessment due dates', () => {
    expect(commitmentState({ effectiveFrom: at(-1), expiresAt: at(1) }, now)).toBe('in_force');
    expect(commitmentState({ effectiveFrom: at(-2), expiresAt: at(-1) }, now)).toBe('expired');
    expect(commitmentState({ effectiveFrom: at(1), expiresAt: at(2) }, now)).toBe('future');
    expect(reassessmentState('approved', at(-1), now)).toBe('overdue');
    expect(reassessmentState('approved', at(10), now)).toBe('due_soon');
    expect(reassessmentState('approved', at(40), now)).toBe('ok');
    expect(reassessmentState('pending', null, now)).toBe('none');
    expect(reassessmentState('terminated', at(-1), now)).toBe('none');
  });
});
