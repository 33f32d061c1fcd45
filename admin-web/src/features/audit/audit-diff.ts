// Before/after of an audit entry as rows of a table: one per field, changed ones flagged.

export interface DiffRow {
  field: string;
  before: string;
  after: string;
  changed: boolean;
}

function show(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function auditDiff(before: Record<string, unknown> | null, after: Record<string, unknown> | null): DiffRow[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  return keys.map((field) => {
    const b = before ? before[field] : undefined;
    const a = after ? after[field] : undefined;
    return { field, before: show(b), after: show(a), changed: JSON.stringify(b) !== JSON.stringify(a) };
  });
}

/** Only the fields that changed, for an update; everything for a create or a delete. */
export function relevantRows(rows: DiffRow[], onlyChanged: boolean): DiffRow[] {
  return onlyChanged ? rows.filter((r) => r.changed) : rows;
}
