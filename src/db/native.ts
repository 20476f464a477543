import neo4j from 'neo4j-driver';

/**
 * Turns driver values (Integer, temporal types, nodes, relationships) into plain JSON values so that
 * nothing driver-specific leaves a repository.
 */
export function toNative(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (neo4j.isInt(value)) {
    return value.inSafeRange() ? value.toNumber() : value.toString();
  }
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toNative);
  if (typeof value === 'object') {
    if (
      neo4j.isDateTime(value) ||
      neo4j.isDate(value) ||
      neo4j.isLocalDateTime(value) ||
      neo4j.isTime(value) ||
      neo4j.isLocalTime(value) ||
      neo4j.isDuration(value)
    ) {
      if (neo4j.isDateTime(value)) return new Date(value.toString()).toISOString();
      return value.toString();
    }
    if (neo4j.isNode(value) || neo4j.isRelationship(value)) return toNative(value.properties);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toNative(v);
    return out;
  }
  return value;
}
