/**
 * Issue #10 item 4: what of a mental-health (W2) or guardianship (W3) case only the people
 * who work it may see. Its facts, the details of its timeline and the texts of its tasks
 * are health and family data of a minor (个人信息保护法 Art. 28, 31): a risk tier, a
 * diagnosis, suspected abuse, a guardian's refusal, the Art. 92 situation, the assessment of
 * a guardian, a court's decision; so are the kinds of its tasks (an urgent hospital
 * referral, a mandatory report) and of its events (`abuse-reported`).
 *
 * Who sees everything: the county **caseworker** who carries the case, the **admin**
 * (operator; its every request is in the access log), and, for a task, the **bureau** it is
 * assigned to (the policy only lets a bureau read its own tasks; it must know what to do).
 * Everyone else who may read the case or the task (a supervisor) sees where it stands:
 * type, stage, status, who holds each task, due dates, overdue, escalation level, and the
 * timeline's dates, stage changes and closing, and nothing of why.
 *
 * An allow-list, not a deny-list, so that a fact or event added later is withheld until
 * someone decides it is harmless. `withheld` says which parts were cut (`facts`,
 * `timeline`, `openTasks`, `task`), never which keys: a key's name can say too much
 * (`diagnosed`).
 */
import type { Principal, Role } from './auth';

export const SENSITIVE_CASE_TYPES: ReadonlySet<string> = new Set(['mental-health', 'guardianship']);

/** Facts of a sensitive case type a supervisor may still see. */
const HARMLESS_FACTS: Readonly<Record<string, readonly string[]>> = {
  'mental-health': [],
  // Which kind of body holds the child and since when, and the review rhythm: the
  // supervisor's question is whether a child is held by someone at all.
  guardianship: ['custodianKind', 'custodianKindLabel', 'custodianDepartment', 'guardianship', 'temporarySince', 'nextReviewOn', 'reviewsIssued', 'reviewsDone'],
};

/** Timeline events of a sensitive case whose kind (not summary) a supervisor may see. */
const HARMLESS_EVENT_KINDS: ReadonlySet<string> = new Set(['stage', 'closed', 'task-assigned', 'task-completed']);

const SEES_CASES: ReadonlySet<Role> = new Set(['caseworker', 'admin']);
const SEES_TASKS: ReadonlySet<Role> = new Set(['caseworker', 'admin', 'bureau']);

export const WITHHELD_TEXT = '（涉及未成年人敏感信息，仅承办人员可见）';
const WITHHELD_KIND = 'withheld';

interface CaseLike {
  type: string;
  facts: Record<string, unknown>;
  timeline: Array<{ at: string; actor: string; kind: string; summary: Record<string, unknown> }>;
  openTasks: Array<{ kind: string; title: string; outcome: string | null }>;
}

/** The case view as `principal` may see it, with `withheld` naming the parts cut. */
export function withholdSensitive<V extends CaseLike>(view: V, principal: Principal | null): V & { withheld: string[] } {
  if (!SENSITIVE_CASE_TYPES.has(view.type) || (principal && SEES_CASES.has(principal.role))) return { ...view, withheld: [] };
  const withheld = new Set<string>();
  const allowed = new Set(HARMLESS_FACTS[view.type] ?? []);
  const facts = Object.fromEntries(Object.entries(view.facts).filter(([key]) => allowed.has(key)));
  if (Object.keys(facts).length < Object.keys(view.facts).length) withheld.add('facts');
  const timeline = view.timeline.map((event) => {
    const harmless = HARMLESS_EVENT_KINDS.has(event.kind);
    if (!harmless || Object.keys(event.summary).length > 0) withheld.add('timeline');
    return { at: event.at, actor: event.actor, kind: harmless ? event.kind : WITHHELD_KIND, summary: {} };
  });
  const openTasks = view.openTasks.map((task) => ({ ...task, kind: WITHHELD_KIND, title: WITHHELD_TEXT, outcome: task.outcome === null ? null : WITHHELD_KIND }));
  if (openTasks.length > 0) withheld.add('openTasks');
  return { ...view, facts, timeline, openTasks, withheld: [...withheld].sort() };
}

interface TaskLike {
  caseType: string | null;
  kind: string;
  title: string;
  instructions: string;
  outcome: string | null;
  outcomeNote: string | null;
  acceptedOutcomes: unknown[];
}

/** A task of a sensitive case as `principal` may see it: where it stands, not what it is about. */
export function withholdSensitiveTask<T extends TaskLike>(task: T, principal: Principal | null): T {
  if (!task.caseType || !SENSITIVE_CASE_TYPES.has(task.caseType) || (principal && SEES_TASKS.has(principal.role))) return task;
  return {
    ...task,
    kind: WITHHELD_KIND,
    title: WITHHELD_TEXT,
    instructions: WITHHELD_TEXT,
    outcome: task.outcome === null ? null : WITHHELD_KIND,
    outcomeNote: task.outcomeNote === null ? null : WITHHELD_TEXT,
    // Their labels name what the task is about (a step up to hospital care).
    acceptedOutcomes: task.acceptedOutcomes.slice(0, 0),
  };
}
