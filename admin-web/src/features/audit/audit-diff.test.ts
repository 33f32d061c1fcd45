import { describe, expect, it } from "vitest";
import { auditDiff, relevantRows } from "./audit-diff";

describe("audit diff", () => {
  it("lines up before and after by field and flags changes", () => {
    const rows = auditDiff({ name: "USA", sort_order: 1, settings: { a: 1 } }, { name: "USA", sort_order: 2, settings: { a: 2 }, added: true });
    expect(rows).toEqual([
      { field: "added", before: "", after: "true", changed: true },
      { field: "name", before: "USA", after: "USA", changed: false },
      { field: "settings", before: '{"a":1}', after: '{"a":2}', changed: true },
      { field: "sort_order", before: "1", after: "2", changed: true },
    ]);
    expect(relevantRows(rows, true).map((r) => r.field)).toEqual(["added", "settings", "sort_order"]);
  });

  it("shows a delete's last state", () => {
    expect(auditDiff({ id: "x" }, null)).toEqual([{ field: "id", before: "x", after: "", changed: true }]);
  });
});
