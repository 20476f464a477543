import neo4j from 'neo4j-driver';

/**
 * An integer from the database as a JS number. Nothing this service stores (counts, sequence numbers, sizes) comes
 * near 2^53; one that does is a fault to report, not a value to turn silently into a string or a rounded number.
 */
function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`Integer ${value} from Neo4j is outside the safe range of a JavaScript number`);
  }
  return Number(value);
}

/**
 * Turns driver values (integers, which the driver gives as bigint (`useBigInt`), temporal types, nodes, relationships)
 * into plain JSON values so that nothing driver-specific leaves a repository.
 */
export function toNative(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'bigint') return safeNumber(value);
  if (neo4j.isInt(value)) return safeNumber(value.toBigInt());
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
