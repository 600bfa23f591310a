-- Replaces a comment's body and mentions and, when the comment is public,
-- appends `comment.updated` to the log and publishes it live. The caller has checked authorship and
-- the edit window (both immutable); status is checked here because it can
-- change concurrently.
--
-- KEYS[1] thread meta (hash)   KEYS[2] thread log (stream)   KEYS[3] comment (hash)
--
-- ARGV[1] thread id   ARGV[2] body   ARGV[3] mentions (JSON)   ARGV[4] editedAt (ISO)
-- ARGV[5] log max events   ARGV[6] log ttl (s)   ARGV[7] most edits allowed per comment
-- ARGV[8..10] live channel, message prefix, message suffix (see lib/thread.lua emit_event)
--
-- Returns {'ok', offset, epoch, json}  (offset 0 when the comment is not public)
--         {'err', reason}  nothing written: not_found | not_editable | too_many_edits

-- @include thread

local status = redis.call('HGET', KEYS[3], 'status')
if not status then return {'err', 'not_found'} end
if status ~= 'visible' and status ~= 'pending' then return {'err', 'not_editable'} end
if tonumber(redis.call('HGET', KEYS[3], 'edits')) >= tonumber(ARGV[7]) then return {'err', 'too_many_edits'} end

redis.call('HSET', KEYS[3], 'body', ARGV[2], 'mentions', ARGV[3], 'editedAt', ARGV[4])
redis.call('HINCRBY', KEYS[3], 'edits', 1)

local offset, epoch, json = publish_update(KEYS[1], KEYS[2], KEYS[3], ARGV[1], status, {ARGV[8], ARGV[9], ARGV[10]}, ARGV[5], ARGV[6])
return {'ok', offset, epoch, json}
