import { modRooms, rooms, type AuthoredComment, type ModEvent } from '../../contract/index.ts';
import type { Logger } from '../logger.ts';
import type { RoomEmitter } from '../store/room-emitter.ts';
import type { ModerationStore } from '../store/moderation.ts';

const COUNTS_DEBOUNCE_MS = 250;

/**
 * The moderators' live feed: every event goes to the /moderation namespace,
 * to moderators following everything and to those following its thread.
 * Queue counts are re-sent (at most four times a second per process) after
 * anything that may have changed them.
 */
export class ModFeed {
  private countsTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly emitter: RoomEmitter,
    private readonly store: ModerationStore,
    private readonly log: Logger,
  ) {}

  async publish(event: ModEvent, threadId: string | undefined): Promise<void> {
    try {
      await this.emitter.emitToModerators(threadId ? [modRooms.all, modRooms.thread(threadId)] : [modRooms.all], event);
    } catch (err) {
      // The feed is a view; the decision itself is stored. Do not fail the caller.
      this.log.warn({ err, type: event.type }, 'could not publish to the moderation feed');
    }
  }

  queuesChanged(): void {
    if (this.countsTimer) return;
    this.countsTimer = setTimeout(() => {
      this.countsTimer = undefined;
      this.store.queueCounts().then(
        (counts) => this.publish({ type: 'queues', counts }, undefined),
        (err: unknown) => this.log.warn({ err }, 'could not read queue counts'),
      );
    }, COUNTS_DEBOUNCE_MS);
    this.countsTimer.unref();
  }

  /** The author of a comment readers cannot see (pending, or rejected while pending) hears about it on every tab. */
  async tellAuthor(comment: AuthoredComment): Promise<void> {
    try {
      await this.emitter.emit(rooms.user(comment.author.id), 'comment:own', { comment });
    } catch (err) {
      this.log.warn({ err }, 'could not tell the author about their comment');
    }
  }
}
