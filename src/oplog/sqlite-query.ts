/**
 * SQL for OpSelector queries. Every selector field maps to an indexed column, and the SQL text
 * depends only on which fields are set, so statements can be cached by text.
 */
import { type EffectiveSelector, STRING_FIELDS } from "./selector.js";

/** SQL text plus the named parameters to run it with. */
export interface SelectorSql {
  sql: string;
  params: Record<string, bigint | string | number>;
}

/** SQLite's integer range: a bigint beyond it cannot be bound ("RangeError"). */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const COLUMNS: Record<(typeof STRING_FIELDS)[number], string> = {
  repoId: "repo_id",
  repoGuid: "repo_guid",
  planId: "plan_id",
  snapshotId: "snapshot_id",
  instanceId: "instance_id",
};

/** The WHERE clause (possibly empty) and its parameters for a selector. */
export function whereClause(selector: EffectiveSelector): SelectorSql {
  const terms: string[] = [];
  const params: SelectorSql["params"] = {};
  if (selector.ids) {
    // A JSON list keeps one statement per shape instead of one per list length.
    terms.push("id IN (SELECT value FROM json_each(@ids))");
    params.ids = `[${selector.ids.join(",")}]`;
  }
  for (const field of STRING_FIELDS) {
    const value = selector[field];
    if (value === undefined) continue;
    terms.push(`${COLUMNS[field]} = @${field}`);
    params[field] = value;
  }
  if (selector.flowId !== undefined) {
    terms.push("flow_id = @flowId");
    params.flowId = selector.flowId;
  }
  if (selector.modnoGte !== undefined) {
    terms.push("modno >= @modnoGte");
    params.modnoGte = selector.modnoGte;
  }
  // Beyond SQLite's integers every id is below beforeId: no term. Below them none is, which
  // INT64_MIN says as well (a bigint outside the range cannot be bound).
  if (selector.beforeId !== undefined && selector.beforeId <= INT64_MAX) {
    // On the primary key: with ORDER BY id DESC LIMIT n this is a range scan of the rowid (or
    // of a column index, whose entries end in the rowid), so each page reads n rows.
    terms.push("id < @beforeId");
    params.beforeId = selector.beforeId < INT64_MIN ? INT64_MIN : selector.beforeId;
  }
  if (selector.statuses) {
    terms.push("status IN (SELECT value FROM json_each(@statuses))");
    params.statuses = JSON.stringify(selector.statuses);
  }
  return { sql: terms.length > 0 ? ` WHERE ${terms.join(" AND ")}` : "", params };
}

/**
 * A SELECT of the operation bytes. With lastN it reads the newest n rows (ORDER BY id DESC
 * LIMIT n) for the caller to reverse; otherwise rows come oldest first.
 */
export function selectSql(
  selector: EffectiveSelector,
  lastN: number,
  columns = "operation",
): SelectorSql {
  const where = whereClause(selector);
  // With only a range on modno, SQLite would rather walk the primary key in id order than use
  // the modno index; "+id" takes id ordering out of the running, so the index wins. With a
  // beforeId SQLite walks the primary key's range anyway: in id order, it needs no sort.
  const order = selector.modnoGte !== undefined && selector.beforeId === undefined ? "+id" : "id";
  if (lastN > 0) {
    return {
      sql: `SELECT ${columns} FROM operations${where.sql} ORDER BY ${order} DESC LIMIT @lastN`,
      params: { ...where.params, lastN },
    };
  }
  return {
    sql: `SELECT ${columns} FROM operations${where.sql} ORDER BY ${order}`,
    params: where.params,
  };
}
