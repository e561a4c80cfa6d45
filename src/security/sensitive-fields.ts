/**
 * Issue #10 item 4: fields of a case only the roles that work the case may see. A
 * mental-health case's risk tier, the guardian's consent, reviews and a diagnosis (W2), a
 * guardianship case's Art. 92 situation, the assessment of the guardian and the court's
 * decision (W3) are health and family data of a minor (个人信息保护法 Art. 28, 31). The county
 * caseworker who carries the case needs them, and the operator (admin, every request of
 * which is in the access log); a supervisor sees where the case stands, not why.
 *
 * Withheld fields are removed from the answer and named in `withheld`, so a reader knows
 * something is there and that the role, not the case, is why it is missing.
 */
import type { Principal, Role } from './auth';

/** Roles that see a case's sensitive fields. */
const NEED_TO_KNOW: ReadonlySet<Role> = new Set(['caseworker', 'admin']);

interface SensitiveFields {
  /** Keys of the case's `facts`. */
  facts: readonly string[];
  /** Per timeline event kind, keys of its summary. */
  events: Readonly<Record<string, readonly string[]>>;
}

/** By case type; a type absent here has nothing sensitive beyond what every case view hides. */
export const SENSITIVE_CASE_FIELDS: Readonly<Record<string, SensitiveFields>> = {
  'mental-health': {
    facts: ['riskTier', 'consent', 'tier'],
    events: {
      reported: ['riskTier', 'suspectedAbuse'],
      'tier-changed': ['from', 'to', 'reason'],
      review: ['result', 'tier'],
      'guardian-decision': ['decision', 'danger'],
      'diagnosis-recorded': ['date'],
    },
  },
  guardianship: {
    facts: ['situation', 'assessmentFinding', 'courtDecision'],
    events: {
      reported: ['situation', 'situationLabel', 'legalBasis'],
      assessment: ['finding', 'findingLabel', 'panel'],
      'court-decision': ['decision', 'documentNo'],
    },
  },
};

export function seesSensitiveFields(principal: Principal | null): boolean {
  return principal !== null && NEED_TO_KNOW.has(principal.role);
}

interface CaseLike {
  type: string;
  facts: Record<string, unknown>;
  timeline: Array<{ kind: string; summary: Record<string, unknown> }>;
}

/** The view as `principal` may see it: sensitive fields removed and listed in `withheld`. */
export function withholdSensitive<V extends CaseLike>(view: V, principal: Principal | null): V & { withheld: string[] } {
  const sensitive = SENSITIVE_CASE_FIELDS[view.type];
  if (!sensitive || seesSensitiveFields(principal)) return { ...view, withheld: [] };
  const withheld = new Set<string>();
  const without = <T extends Record<string, unknown>>(record: T, keys: readonly string[] | undefined, prefix: string): T => {
    if (!keys?.some((key) => key in record)) return record;
    const copy: Record<string, unknown> = { ...record };
    for (const key of keys) {
      if (key in copy) {
        delete copy[key];
        withheld.add(`${prefix}${key}`);
      }
    }
    return copy as T;
  };
  const facts = without(view.facts, sensitive.facts, 'facts.');
  const timeline = view.timeline.map((event) => ({ ...event, summary: without(event.summary, sensitive.events[event.kind], `timeline.${event.kind}.`) }));
  return { ...view, facts, timeline, withheld: [...withheld].sort() };
}
