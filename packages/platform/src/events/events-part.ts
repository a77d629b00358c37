import type { BackgroundContext, BackgroundPart } from "../harness/background-part.js";
import { onEventsAppended } from "./event-feed.js";
import { closeLiveStreams } from "./live-streams.js";

/**
 * Event delivery: webhooks run as jobs (webhook-service.ts), queued with the event. An event written
 * here wakes the idle workers, so its deliveries leave at once, not at the next poll; on stop, the
 * live streams end at once.
 */
export function eventsPart(ctx: BackgroundContext): BackgroundPart {
  let unlisten: (() => void) | undefined;
  return {
    start() {
      unlisten ??= onEventsAppended(() => ctx.poke());
    },
    async stop() {
      unlisten?.();
      unlisten = undefined;
      closeLiveStreams();
    },
  };
}
