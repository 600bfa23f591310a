-- Replaces a comment's body and mentions. Automatic moderation of the new
-- text happens in the same step: a held edit takes a public comment out of
-- readers' sight (`comment.removed`) before its new text exists anywhere, and
-- a refused edit changes nothing at all. Otherwise a public comment gets
-- `comment.updated`. The caller has checked authorship and the edit window
-- (both immutable); status and the edit count are checked here because they
-- can change concurrently.
--
-- KEYS[1] thread meta (hash)   KEYS[2] thread log (stream)   KEYS[3] comment (hash)
-- KEYS[4] visible comments (zset)   KEYS[5] pending comments (zset)
-- KEYS[6] the author's pending comments here (zset)
--
-- ARGV[1] thread id   ARGV[2] body   ARGV[3] mentions (JSON)   ARGV[4] editedAt (ISO)
-- ARGV[5] log max events   ARGV[6] log ttl (s)   ARGV[7] most edits allowed per comment
-- ARGV[8..10] live channel, message prefix, message suffix (see lib/thread.lua emit_event)
-- ARGV[11] automatic moderation record for the new text (JSON) or '' (nothing to say)
-- ARGV[12] '1' = hold: the comment becomes pending
--
-- Returns {'ok', offset, epoch, json, previous status}  (offset 0 when the comment is not public)
--         {'err', reason}  nothing written: not_found | not_editable | too_many_edits

-- @include thread

local status = redis.call('HGET', KEYS[3], 'status')
if not status then return {'err', 'not_found'} end
if status ~= 'visible' and status ~= 'pending' then return {'err', 'not_editable'} end
if tonumber(redis.call('HGET', KEYS[3], 'edits')) >= tonumber(ARGV[7]) then return {'err', 'too_many_edits'} end

redis.call('HSET', KEYS[3], 'body', ARGV[2], 'mentions', ARGV[3], 'editedAt', ARGV[4])
redis.call('HINCRBY', KEYS[3], 'edits', 1)
if ARGV[11] ~= '' then redis.call('HSET', KEYS[3], 'moderation', ARGV[11]) end

if ARGV[12] == '1' and status == 'visible' then
  local id = redis.call('HGET', KEYS[3], 'id')
  redis.call('HSET', KEYS[3], 'status', 'pending')
  redis.call('ZREM', KEYS[4], id)
  count_visible(KEYS[1], redis.call('HGET', KEYS[3], 'authorId'), -1)
  local created_ms = redis.call('HGET', KEYS[3], 'createdMs')
  redis.call('ZADD', KEYS[5], created_ms, id)
  redis.call('ZADD', KEYS[6], created_ms, id)
  local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
  local offset = next_offset(KEYS[1])
  redis.call('HSET', KEYS[3], 'offset', offset)
  local json = comment_json(KEYS[3], ARGV[1], offset, false)
  redis.call('HSET', KEYS[3], 'json', json)
  emit_event(KEYS[2], {ARGV[8], ARGV[9], ARGV[10]}, ARGV[1], epoch, offset, 'comment.removed', id,
    comment_json(KEYS[3], ARGV[1], offset, true), ARGV[5], ARGV[6])
  return {'ok', offset, epoch, json, status}
end

local offset, epoch, json = publish_update(KEYS[1], KEYS[2], KEYS[3], ARGV[1], status, {ARGV[8], ARGV[9], ARGV[10]}, ARGV[5], ARGV[6])
return {'ok', offset, epoch, json, status}
