/**
 * P4.2 retention, as pure functions: which rule governs each (customer, purpose, field), when its
 * clock started, when it expires (legal holds stop the clock, a renewed consent restarts it), and
 * what a sweep does to one customer. The dry run and the real run both call `planCustomer`.
 */
import type { RetentionAction, RetentionTrigger } from './retention-types.js';

const DAY_MS = 24 * 3600 * 1000;

/** A rule as the plan sees it: an explicit rule (`rule:<id>`) or a purpose's own retention (`purpose:<code>`). */
export interface RuleView {
  key: string;
  purposeCode: string | null;
  categoryCode: string | null;
  days: number;
  trigger: RetentionTrigger;
  action: RetentionAction;
}

export interface HoldInterval {
  placedAt: Date;
  releasedAt: Date | null;
}

export interface PolicyView {
  /** Per purpose code: the fields of its versions, and its own retention (the active version's, else the latest's). */
  purposes: Map<string, { fields: Set<string>; days: number; trigger: RetentionTrigger }>;
  /** Active explicit rules. */
  rules: RuleView[];
  /** Holds on a rule or on a purpose's own retention, by rule key. */
  ruleHolds: Map<string, HoldInterval[]>;
}

export interface PurposeFacts {
  /** Latest grant for this purpose (a renewed consent restarts the clock). */
  lastGrantAt: Date | null;
  /** Is any consent of this purpose still granted (not withdrawn, not expired) at asOf? */
  consentActive: boolean;
  /** When the last standing consent of this purpose was withdrawn or expired (when none stands). */
  consentEndedAt: Date | null;
}

export interface CustomerFacts {
  id: string;
  createdAt: Date;
  /** Latest of the customer row's update and its latest consent record. */
  lastActivityAt: Date;
  fields: string[];
  purposes: Map<string, PurposeFacts>;
  relationshipEndedAt: Date | null;
  holds: HoldInterval[];
}

export interface PlanItem {
  customerId: string;
  action: 'delete' | 'anonymise' | 'remove_fields';
  /** Fields destroyed (for delete/anonymise: every field the customer still has). */
  fields: string[];
  /** Rules whose expiry caused it, sorted. */
  rules: string[];
  /** The latest expiry among them. */
  expiredAt: Date;
  /** Purposes the customer's data was held for (for anonymised statistics). */
  purposes: string[];
}

export interface CustomerPlan {
  item: PlanItem | null;
  /** An active hold on the customer: nothing is done. */
  held: boolean;
  /** The next expiry still ahead (for the console's upcoming list). */
  next: { at: Date; rule: string; scope: 'customer' | 'fields'; fields: string[] } | null;
}

/** Rule lookup for a (purpose, field): purpose+category, then purpose, then category, then the purpose's own retention. */
export function indexRules(rules: readonly RuleView[]): Map<string, RuleView> {
  return new Map(rules.map((r) => [`${r.purposeCode ?? ''}|${r.categoryCode ?? ''}`, r]));
}

export function resolveRule(
  policy: PolicyView,
  byKey: Map<string, RuleView>,
  purpose: string | null,
  field: string | null,
): RuleView | null {
  if (purpose !== null) {
    if (field !== null) {
      const pf = byKey.get(`${purpose}|${field}`);
      if (pf) return pf;
    }
    const p = byKey.get(`${purpose}|`);
    if (p) return p;
  }
  if (field !== null) {
    const f = byKey.get(`|${field}`);
    if (f) return f;
  }
  if (purpose === null) return null;
  const own = policy.purposes.get(purpose);
  return own
    ? { key: `purpose:${purpose}`, purposeCode: purpose, categoryCode: null, days: own.days, trigger: own.trigger, action: 'delete' }
    : null;
}

const maxDate = (...ds: Array<Date | null>): Date | null => {
  let m: Date | null = null;
  for (const d of ds) if (d && (!m || d.getTime() > m.getTime())) m = d;
  return m;
};

/**
 * When the clock of `trigger` started for this customer and purpose; null when it has not started
 * (relationship not ended, consent still standing). A grant after the start restarts the clock.
 */
export function clockStart(trigger: RetentionTrigger, c: CustomerFacts, p: PurposeFacts | null): Date | null {
  const lastGrant = p?.lastGrantAt ?? null;
  switch (trigger) {
    case 'collection':
      return lastGrant ?? c.createdAt;
    case 'last_activity':
      return maxDate(c.lastActivityAt, lastGrant);
    case 'relationship_end':
      return c.relationshipEndedAt ? maxDate(c.relationshipEndedAt, lastGrant) : null;
    case 'consent_withdrawal':
      if (!p || p.consentActive || !p.consentEndedAt) return null;
      return maxDate(p.consentEndedAt, lastGrant);
  }
}

/**
 * Expiry of a clock that started at `start` and runs `days`, stopped by holds: an active hold
 * (no release) means never; each released hold in force after the start adds the time it held.
 */
export function expiryWithHolds(start: Date, days: number, holds: readonly HoldInterval[]): number {
  // A hold in force protects even data whose clock ran out before it was placed.
  if (holds.some((h) => !h.releasedAt)) return Infinity;
  let expiry = start.getTime() + days * DAY_MS;
  const intervals = holds
    .map((h) => [h.placedAt.getTime(), h.releasedAt ? h.releasedAt.getTime() : Infinity] as const)
    .filter(([, b]) => b > start.getTime())
    .sort((x, y) => x[0] - y[0]);
  // Merge overlaps so time held by two holds at once counts once.
  const merged: Array<[number, number]> = [];
  for (const [a, b] of intervals) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  for (const [a, b] of merged) {
    if (a >= expiry) break;
    expiry += b - Math.max(a, start.getTime());
  }
  return expiry;
}

/** What a sweep does to one customer at `asOf`. */
export function planCustomer(c: CustomerFacts, policy: PolicyView, asOf: Date, byKey = indexRules(policy.rules)): CustomerPlan {
  const now = asOf.getTime();
  if (c.holds.some((h) => !h.releasedAt || h.releasedAt.getTime() > now)) return { item: null, held: true, next: null };
  const pastHolds = c.holds;

  const expiryOf = (rule: RuleView, purpose: string | null): number => {
    const start = clockStart(rule.trigger, c, purpose ? (c.purposes.get(purpose) ?? null) : null);
    if (!start) return Infinity;
    return expiryWithHolds(start, rule.days, [...pastHolds, ...(policy.ruleHolds.get(rule.key) ?? [])]);
  };

  const purposes = [...c.purposes.keys()].sort();
  // Purpose level: is each purpose still valid for this customer?
  const purposeExpiry = new Map<string, { at: number; rule: RuleView }>();
  for (const p of purposes) {
    const rule = resolveRule(policy, byKey, p, null);
    if (rule) purposeExpiry.set(p, { at: expiryOf(rule, p), rule });
  }
  // Field level: a field is kept while any still-valid purpose needs it.
  const fieldState = new Map<string, { expired: boolean; at: number; rules: Set<string>; actions: Set<RetentionAction> } | null>();
  for (const f of c.fields) {
    const holders: Array<{ at: number; rule: RuleView }> = [];
    for (const p of purposes) {
      if (!policy.purposes.get(p)?.fields.has(f)) continue;
      const rule = resolveRule(policy, byKey, p, f);
      if (rule) holders.push({ at: expiryOf(rule, p), rule });
    }
    if (!holders.length) {
      // Needed by none of the customer's purposes: a category rule alone governs it, or nothing does.
      const rule = resolveRule(policy, byKey, null, f);
      if (rule) holders.push({ at: expiryOf(rule, null), rule });
    }
    if (!holders.length) {
      fieldState.set(f, null); // unmanaged: kept
      continue;
    }
    const at = Math.max(...holders.map((h) => h.at));
    fieldState.set(f, {
      expired: at <= now,
      at,
      rules: new Set(holders.map((h) => h.rule.key)),
      actions: new Set(holders.map((h) => h.rule.action)),
    });
  }

  const fieldsGoverned = [...fieldState.values()];
  const allFieldsExpired = fieldsGoverned.every((s) => s !== null && s.expired);
  const allPurposesExpired = [...purposeExpiry.values()].every((e) => e.at <= now);
  const governed = purposeExpiry.size > 0 || (c.fields.length > 0 && fieldsGoverned.every((s) => s !== null));

  if (governed && allFieldsExpired && allPurposesExpired) {
    const rules = new Set<string>();
    const actions = new Set<RetentionAction>();
    let latest = -Infinity;
    for (const e of purposeExpiry.values()) {
      rules.add(e.rule.key);
      actions.add(e.rule.action);
      latest = Math.max(latest, e.at);
    }
    for (const s of fieldsGoverned) {
      for (const r of s!.rules) rules.add(r);
      for (const a of s!.actions) actions.add(a);
      latest = Math.max(latest, s!.at);
    }
    return {
      item: {
        customerId: c.id,
        action: actions.has('anonymise') ? 'anonymise' : 'delete',
        fields: [...c.fields].sort(),
        rules: [...rules].sort(),
        expiredAt: new Date(latest),
        purposes,
      },
      held: false,
      next: null,
    };
  }

  // Not the whole customer: the fields no still-valid purpose needs go first.
  const expiredFields = c.fields.filter((f) => fieldState.get(f)?.expired).sort();
  let next: CustomerPlan['next'] = null;
  for (const [f, s] of fieldState) {
    if (s && !s.expired && s.at !== Infinity && (!next || s.at < next.at.getTime()))
      next = { at: new Date(s.at), rule: [...s.rules].sort()[0]!, scope: 'fields', fields: [f] };
  }
  const customerAt = governed
    ? Math.max(...[...purposeExpiry.values()].map((e) => e.at), ...fieldsGoverned.map((s) => s?.at ?? Infinity))
    : Infinity;
  if (customerAt !== Infinity && customerAt > now && (!next || customerAt <= next.at.getTime())) {
    const r = [...purposeExpiry.values()].sort((a, b) => b.at - a.at)[0];
    next = { at: new Date(customerAt), rule: r?.rule.key ?? next?.rule ?? '', scope: 'customer', fields: [] };
  }
  if (!expiredFields.length) return { item: null, held: false, next };
  const rules = new Set<string>();
  let latest = -Infinity;
  for (const f of expiredFields) {
    const s = fieldState.get(f)!;
    for (const r of s.rules) rules.add(r);
    latest = Math.max(latest, s.at);
  }
  return {
    item: {
      customerId: c.id,
      action: 'remove_fields',
      fields: expiredFields,
      rules: [...rules].sort(),
      expiredAt: new Date(latest),
      purposes,
    },
    held: false,
    next,
  };
}

/** The plan for a page of customers, in customer order (the same function for dry and real runs). */
export function planBatch(customers: readonly CustomerFacts[], policy: PolicyView, asOf: Date): { items: PlanItem[]; held: string[] } {
  const byKey = indexRules(policy.rules);
  const items: PlanItem[] = [];
  const held: string[] = [];
  for (const c of customers) {
    const p = planCustomer(c, policy, asOf, byKey);
    if (p.held) held.push(c.id);
    else if (p.item) items.push(p.item);
  }
  return { items, held };
}

/**
 * Anonymisation keeps a generalised, non-identifying statistics row: the 5-year birth band and
 * province from the resident ID (else province from the address), the gender, the year of collection.
 */
export function generalise(
  values: {
    residentId?: { provinceCode: string; birthDate: string; sex: 'male' | 'female' } | null;
    provinceFromAddress?: string | null;
    gender?: string | null;
  },
  collectedAt: Date,
): { birthYearBand: number | null; provinceCode: string | null; gender: 'male' | 'female' | null; collectedYear: number } {
  const id = values.residentId ?? null;
  const year = id ? Number(id.birthDate.slice(0, 4)) : NaN;
  let gender: 'male' | 'female' | null = id?.sex ?? null;
  if (!gender && values.gender) {
    const g = values.gender.trim().toLowerCase();
    if (['男', 'male', 'm'].includes(g)) gender = 'male';
    else if (['女', 'female', 'f'].includes(g)) gender = 'female';
  }
  return {
    birthYearBand: Number.isFinite(year) ? year - (year % 5) : null,
    provinceCode: id?.provinceCode ?? values.provinceFromAddress ?? null,
    gender,
    collectedYear: collectedAt.getUTCFullYear(),
  };
}
