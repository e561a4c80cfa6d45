/**
 * Custom search attributes for the Temporal UI. Never personal data: these are stored in
 * plain text on the Temporal server (architecture.md). Registered by `npm start` on the dev
 * server, by deploy/temporal/register-search-attributes.sh in docker-compose.
 */
export const SEARCH_ATTRIBUTES = {
  CaseType: 'Keyword',
  County: 'Keyword',
  Stage: 'Keyword',
  EscalationLevel: 'Int',
  Overdue: 'Bool',
} as const;

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}
