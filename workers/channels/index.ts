import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../../contract/index.ts';
import type { Channel } from './channel.ts';
import { email } from './email.ts';
import { webhook } from './webhook.ts';

/** Every channel in the contract's list must have its module here (a missing one does not compile). */
const registry: Record<NotificationChannel, Channel> = { email, webhook };

/** The out-of-band channels, in the contract's order. */
export const channels: readonly Channel[] = NOTIFICATION_CHANNELS.map((name) => {
  // The name picks the queue and the preference: a module filed under another's name would cross them.
  if (registry[name].name !== name) throw new Error(`channel module ${registry[name].name} is registered as ${name}`);
  return registry[name];
});

export type { Channel, Contact, Outgoing } from './channel.ts';
