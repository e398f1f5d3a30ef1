import { describe, expect, it } from 'vitest';
import { nextCronTime, parseCron } from './cron-fns.js';
import { clockStart, expiryWithHolds, generalise, planCustomer, type CustomerFacts, type PolicyView } from './retention-fns.js';

const DAY = 86_400_000;
const NOW = new Date('2025-06-01T00:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

function policy(over: Partial<PolicyView> = {}): PolicyView {
  return {
    purposes: new Map([
      ['member', { fields: new Set(['name', 'mobile', 'email']), days: 30, trigger: 'collection' as const }],
      ['billing', { fields: new Set(['mobile', 'bank_card']), days: 365, trigger: 'relationship_end' as const }],
    ]),
    rules: [],
    ruleHolds: new Map(),
    ...over,
  };
}

function customer(over: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    createdAt: ago(100),
    lastActivityAt: ago(100),
    fields: ['email', 'mobile', 'name'],
    purposes: new Map([['member', { lastGrantAt: ago(100), consentActive: true, consentEndedAt: null }]]),
    relationshipEndedAt: null,
    holds: [],
    ...over,
  };
}

describe('cron', () => {
  it('parses and finds the next time (local time)', () => {
    const s = parseCron('30 2 * * *');
    const from = new Date(2025, 0, 1, 3, 0);
    expect(nextCronTime(s, from)).toEqual(new Date(2025, 0, 2, 2, 30));
    expect(nextCronTime(parseCron('*/15 * * * *'), new Date(2025, 0, 1, 3, 7))).toEqual(new Date(2025, 0, 1, 3, 15));
    expect(nextCronTime(parseCron('0 0 1 */3 *'), new Date(2025, 1, 10))).toEqual(new Date(2025, 3, 1, 0, 0));
    // Sunday, 7 and 0 alike.
    expect(nextCronTime(parseCron('0 4 * * 7'), new Date(2025, 5, 2, 12)).getDay()).toBe(0);
    expect(nextCronTime(parseCron('0 0 29 2 *'), new Date(2025, 0, 1))).toEqual(new Date(2028, 1, 29, 0, 0));
  });
  it('refuses bad expressions', () => {
    for (const bad of ['* * * *', '60 * * * *', 'a b c d e', '5-1 * * * *', '*/0 * * * *']) expect(() => parseCron(bad)).toThrow();
  });
});

describe('retention plan', () => {
  it('deletes a customer whose only purpose expired; a renewed consent restarts the clock', () => {
    expect(planCustomer(customer(), policy(), NOW).item).toMatchObject({ action: 'delete', rules: ['purpose:member'] });
    const renewed = customer({ purposes: new Map([['member', { lastGrantAt: ago(5), consentActive: true, consentEndedAt: null }]]) });
    const p = planCustomer(renewed, policy(), NOW);
    expect(p.item).toBeNull();
    expect(p.next).toMatchObject({ at: new Date(ago(5).getTime() + 30 * DAY), scope: 'customer' });
  });

  it('removes only the fields no still-valid purpose needs', () => {
    const c = customer({
      fields: ['bank_card', 'email', 'mobile', 'name'],
      purposes: new Map([
        ['member', { lastGrantAt: ago(100), consentActive: true, consentEndedAt: null }],
        ['billing', { lastGrantAt: ago(100), consentActive: true, consentEndedAt: null }],
      ]),
    });
    expect(planCustomer(c, policy(), NOW).item).toMatchObject({ action: 'remove_fields', fields: ['email', 'name'] });
  });

  it('rules override the purpose’s own retention, most specific first; anonymise wins over delete', () => {
    const rules = [
      { key: 'rule:a', purposeCode: 'member', categoryCode: null, days: 500, trigger: 'collection' as const, action: 'anonymise' as const },
      { key: 'rule:b', purposeCode: 'member', categoryCode: 'email', days: 10, trigger: 'collection' as const, action: 'delete' as const },
    ];
    expect(planCustomer(customer(), policy({ rules }), NOW).item).toMatchObject({
      action: 'remove_fields',
      fields: ['email'],
      rules: ['rule:b'],
    });
    const old = customer({ purposes: new Map([['member', { lastGrantAt: ago(600), consentActive: true, consentEndedAt: null }]]) });
    expect(planCustomer(old, policy({ rules }), NOW).item).toMatchObject({ action: 'anonymise', rules: ['rule:a', 'rule:b'] });
  });

  it('holds: an active one protects everything, a released one extends the clock by its time', () => {
    expect(planCustomer(customer({ holds: [{ placedAt: ago(1), releasedAt: null }] }), policy(), NOW)).toMatchObject({
      held: true,
      item: null,
    });
    // Held for 80 of the 100 days: 20 days run, 10 left.
    const c = customer({ holds: [{ placedAt: ago(90), releasedAt: ago(10) }] });
    expect(planCustomer(c, policy(), NOW).item).toBeNull();
    expect(expiryWithHolds(ago(100), 30, [{ placedAt: ago(90), releasedAt: ago(10) }])).toBe(NOW.getTime() + 10 * DAY);
    // Overlapping holds count once; a hold in force on the rule protects even after expiry.
    expect(
      expiryWithHolds(ago(100), 30, [
        { placedAt: ago(90), releasedAt: ago(50) },
        { placedAt: ago(60), releasedAt: ago(40) },
      ]),
    ).toBe(ago(100).getTime() + 80 * DAY);
    const ruleHolds = new Map([['purpose:member', [{ placedAt: ago(1), releasedAt: null }]]]);
    expect(planCustomer(customer(), policy({ ruleHolds }), NOW).item).toBeNull();
  });

  it('clock triggers: relationship end, consent withdrawal, last activity', () => {
    const p = { lastGrantAt: ago(100), consentActive: false, consentEndedAt: ago(20) };
    const c = customer({ relationshipEndedAt: ago(50), lastActivityAt: ago(3) });
    expect(clockStart('relationship_end', c, p)).toEqual(ago(50));
    expect(clockStart('relationship_end', customer(), p)).toBeNull();
    expect(clockStart('consent_withdrawal', c, p)).toEqual(ago(20));
    expect(clockStart('consent_withdrawal', c, { ...p, consentActive: true })).toBeNull();
    expect(clockStart('last_activity', c, p)).toEqual(ago(3));
    expect(clockStart('collection', c, p)).toEqual(ago(100));
  });

  it('a customer with no purpose and no category rule is not touched', () => {
    const c = customer({ purposes: new Map() });
    expect(planCustomer(c, policy(), NOW).item).toBeNull();
    const rules = [
      { key: 'rule:c', purposeCode: null, categoryCode: 'name', days: 1, trigger: 'collection' as const, action: 'delete' as const },
    ];
    expect(planCustomer(customer({ purposes: new Map(), fields: ['name'] }), policy({ rules }), NOW).item).toMatchObject({
      action: 'delete',
    });
  });

  it('generalises for statistics', () => {
    expect(generalise({ residentId: { provinceCode: '44', birthDate: '1987-06-15', sex: 'male' } }, NOW)).toEqual({
      birthYearBand: 1985,
      provinceCode: '44',
      gender: 'male',
      collectedYear: 2025,
    });
    expect(generalise({ provinceFromAddress: '11', gender: '女' }, NOW)).toMatchObject({
      birthYearBand: null,
      provinceCode: '11',
      gender: 'female',
    });
  });
});
