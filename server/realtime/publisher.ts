import { rooms, type ThreadEvent } from '../../client/contract/index.ts';
import type { EventSink } from '../context.ts';
import type { IoServer } from './types.ts';

/** Delivers use-case events to the sockets that joined the thread. */
export function socketEventSink(io: IoServer): EventSink {
  return {
    threadEvent(event: ThreadEvent) {
      io.to(rooms.thread(event.threadId)).emit('thread:event', event);
    },
  };
}
