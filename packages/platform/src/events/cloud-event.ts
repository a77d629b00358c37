import { CloudEvent } from "cloudevents";
import type { StoredEvent } from "../audit/event-log.js";

/** Quanta's reverse-DNS type prefix: `product.published` is served as `dev.quanta.product.published`. */
export const typePrefix = "dev.quanta.";
/** The `source` of every Quanta event: the platform itself (the `subject` says what changed). */
export const eventSource = "/quanta";

/** An event as served: CloudEvents 1.0, its data the stored payload. */
export type QuantaCloudEvent = CloudEvent<Record<string, unknown>>;

/** The event's Quanta type, as stored and as subscriptions name it (`dev.quanta.x.y` → `x.y`). */
export function bareType(type: string): string {
  return type.startsWith(typePrefix) ? type.slice(typePrefix.length) : type;
}

/**
 * A stored event as a CloudEvent 1.0: its `id` is the feed position (the event's id, as a string),
 * `time` when its transaction wrote it, `data` its payload; the actor, when known, rides in the
 * `actor` extension. The package validates the event (and throws if it would not conform).
 */
export function toCloudEvent(e: StoredEvent): QuantaCloudEvent {
  const at = e.at as unknown;
  return new CloudEvent<Record<string, unknown>>({
    specversion: "1.0",
    id: String(e.id),
    source: eventSource,
    type: `${typePrefix}${e.type}`,
    subject: e.subject,
    time: (at instanceof Date ? at : new Date(String(at))).toISOString(),
    datacontenttype: "application/json",
    data: e.payload ?? {},
    ...(e.actor ? { actor: e.actor } : {}),
  });
}

/** The CloudEvents JSON format (structured mode) of an event: the body of a delivery, an SSE message. */
export function cloudEventJson(e: QuantaCloudEvent): Record<string, unknown> {
  return e.toJSON();
}
