import type { Db } from '../db/neo4j.js';

export interface DeliverySummary {
  id: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  events: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

export interface DestinationRecord {
  id: string;
  audienceId: string;
  name: string | null;
  url: string;
  createdAt: string;
  /** True once the members the destination missed (it came after them) are queued for it. */
  backfilled: boolean;
  /** Events waiting for a delivery. */
  queued: number;
  lastDelivery: DeliverySummary | null;
}

export interface DueDestination {
  id: string;
  audienceId: string;
  url: string;
  /** The signing secret, encrypted (secret-box.ts). */
  secret: string;
  /** Its pending delivery, if any (else a new one is opened from the queue). */
  deliveryId: string | null;
  /** Attempts of that delivery so far. */
  attempts: number | null;
}

export interface DeliveryEvent {
  id: string;
  type: string;
  at: string;
  audienceId: string;
  audienceName: string | null;
  userId: string | null;
  data: string | null;
  /** False when the person withdrew consent or was erased since the event was queued. */
  deliverable: boolean;
  keys: string[];
}

export interface DeliveryLogRow extends DeliverySummary {
  sent: number;
  dropped: number;
  lastAttemptAt: string | null;
}

/** Destinations and the outbox (queued events, deliveries). */
export class DestinationRepository {
  constructor(private readonly db: Db) {}

  async create(d: {
    id: string;
    audienceId: string;
    name: string | null;
    url: string;
    secret: string;
  }): Promise<DestinationRecord | undefined> {
    const [row] = await this.db.write<DestinationRecord & Record<string, unknown>>('audiences/create-destination', d);
    return row;
  }

  async get(audienceId: string, id: string): Promise<DestinationRecord | undefined> {
    const [row] = await this.db.read<DestinationRecord & Record<string, unknown>>('audiences/get-destination', { audienceId, id });
    return row;
  }

  list(audienceId: string): Promise<DestinationRecord[]> {
    return this.db.read<DestinationRecord & Record<string, unknown>>('audiences/list-destinations', { audienceId });
  }

  async delete(audienceId: string, id: string): Promise<boolean> {
    return (await this.db.write('audiences/delete-destination', { audienceId, id })).length > 0;
  }

  deliveries(destinationId: string, offset: number, limit: number): Promise<DeliveryLogRow[]> {
    return this.db.read<DeliveryLogRow & Record<string, unknown>>('audiences/list-deliveries', { destinationId, offset, limit });
  }

  // ---- backfill (evaluator) ----------------------------------------------------------------------------------------

  async pendingBackfills(): Promise<string[]> {
    return (await this.db.read<{ id: string }>('audiences/pending-backfills')).map((r) => r.id);
  }

  async backfill(id: string, limit: number, now: Date): Promise<{ queued: number; done: boolean }> {
    const [row] = await this.db.write<{ queued: number; done: boolean }>(
      'audiences/backfill-destination',
      { id, limit, now: now.toISOString() },
      { deadline: 'batch' },
    );
    return row ?? { queued: 0, done: true };
  }

  // ---- deliveries (delivery job) -----------------------------------------------------------------------------------

  due(limit: number): Promise<DueDestination[]> {
    // Polled twice a second: a short deadline (see AudienceRepository.definitions).
    return this.db.read<DueDestination & Record<string, unknown>>('audiences/due-destinations', { limit });
  }

  /** Takes up to `limit` queued events of the destination into a new delivery; its id, or null when none were queued. */
  async open(destinationId: string, deliveryId: string, limit: number): Promise<string | null> {
    const [row] = await this.db.write<{ id: string }>(
      'audiences/open-delivery',
      { destinationId, deliveryId, limit },
      { deadline: 'batch' },
    );
    return row?.id ?? null;
  }

  events(deliveryId: string): Promise<DeliveryEvent[]> {
    return this.db.read<DeliveryEvent & Record<string, unknown>>('audiences/delivery-events', { deliveryId }, { deadline: 'batch' });
  }

  async drop(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length > 0) await this.db.write('audiences/drop-events', { ids: eventIds }, { deadline: 'batch' });
  }

  async succeeded(
    id: string,
    r: { status: number | null; sent: number; dropped: number; entered: number; attempted: number },
  ): Promise<void> {
    await this.db.write('audiences/delivery-succeeded', { id, ...r }, { deadline: 'batch' });
  }

  async failed(
    id: string,
    r: { status: number | null; error: string; dropped: number; giveUp: boolean; delayMs: number },
  ): Promise<number> {
    const [row] = await this.db.write<{ attempts: number }>('audiences/delivery-failed', { id, ...r }, { deadline: 'batch' });
    return row?.attempts ?? 0;
  }

  async prune(days: number, limit: number): Promise<number> {
    const [row] = await this.db.write<{ done: number }>('audiences/prune-deliveries', { days, limit }, { deadline: 'batch' });
    return row?.done ?? 0;
  }
}
