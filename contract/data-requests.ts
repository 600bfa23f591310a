import { z } from 'zod';
import { CommentSchema, NotificationSchema, PreferencesSchema, RoleSchema, UserIdSchema } from './schemas.ts';

// ---- data requests (GDPR): export and erasure ----

export const ExportedProfileSchema = z
  .object({
    id: UserIdSchema,
    handle: z.string(),
    name: z.string(),
    role: RoleSchema,
    email: z.string().nullable(),
    /** When Threadline first saw the user; when their token's claims last changed the record. */
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ExportedProfile' });

/** Everything Threadline stores about one user, as one JSON document. */
export const UserExportSchema = z
  .object({
    exportedAt: z.iso.datetime(),
    profile: ExportedProfileSchema,
    /** Their comments as written (also deleted and removed ones, with their text), oldest first. */
    comments: z.array(CommentSchema),
    /** Their inbox, newest first; entries about comments no longer visible are left out, as in the inbox. */
    notifications: z.array(NotificationSchema),
    preferences: PreferencesSchema,
  })
  .meta({ id: 'UserExport' });
export type UserExport = z.infer<typeof UserExportSchema>;

export const EraseResponseSchema = z
  .object({
    userId: UserIdSchema,
    /** Comments turned into `deleted` tombstones by this request (0 when a retry finds them done). */
    erasedComments: z.number().int().nonnegative(),
  })
  .meta({ id: 'EraseResponse' });
export type EraseResponse = z.infer<typeof EraseResponseSchema>;
