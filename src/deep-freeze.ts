/**
 * Deep freezing for values shared by many readers that none of them may change (ConfigStore
 * snapshots, the redacted config, the dashboard's cached summaries).
 */

/**
 * Freezes `value` and everything it holds (a message's sub-messages, repeated fields and maps)
 * and returns it. Typed arrays (bytes fields) cannot be frozen and are left as they are.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
