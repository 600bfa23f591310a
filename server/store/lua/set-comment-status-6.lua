-- Moves a comment to a new status (delete, remove, approve, hold, restore) and
-- tells readers what they should now see:
--   public before, not after  -> comment.removed
--   not public before, public -> comment.created (it appears, in offset order)
--   neither public            -> no event (only the record changes)
-- Asking for the status a comment already has changes nothing (idempotent).
--
-- KEYS[1] thread meta (hash)   KEYS[2] thread log (stream)
-- KEYS[3] visible comments (zset)   KEYS[4] comment (hash)   KEYS[5] pending comments (zset)
-- KEYS[6] the author's pending comments here (zset)
--
-- ARGV[1] thread id   ARGV[2] new status   ARGV[3] allowed current statuses, comma separated
-- ARGV[4] log max events   ARGV[5] log ttl (s)
-- ARGV[6..8] live channel, message prefix, message suffix (see lib/thread.lua emit_event)
-- ARGV[9] moderation record (JSON: who or what decided, and why) or '' to leave it
-- ARGV[10] deciding moderator's id, or '' (not a person's decision)
-- ARGV[11] now (ms)   ARGV[12] conflict window (ms): another moderator's decision younger than this wins
--
-- Returns {'ok', offset, epoch, json, eventType, previous status}  eventType '' when nothing public changed
--         {'same', json}                          already in that status
--         {'err', reason}                         not_found | wrong_status:<current> | decided

-- @include thread

local current = redis.call('HGET', KEYS[4], 'status')
if not current then return {'err', 'not_found'} end
-- @include moderator-guard
if decided_by_another(KEYS[4], ARGV[10], ARGV[11], ARGV[12]) then return {'err', 'decided'} end
local target = ARGV[2]
if current == target then return {'same', redis.call('HGET', KEYS[4], 'json')} end
if not string.find(',' .. ARGV[3] .. ',', ',' .. current .. ',', 1, true) then
  return {'err', 'wrong_status:' .. current}
end

redis.call('HSET', KEYS[4], 'status', target)
if ARGV[9] ~= '' then redis.call('HSET', KEYS[4], 'moderation', ARGV[9]) end
if ARGV[10] ~= '' then redis.call('HSET', KEYS[4], 'decidedBy', ARGV[10], 'decidedAtMs', ARGV[11]) end
local was_public = current == 'visible'
local is_public = target == 'visible'
local event_type = ''
if was_public and not is_public then event_type = 'comment.removed' end
if is_public and not was_public then event_type = 'comment.created' end

local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
local offset = tonumber(redis.call('HGET', KEYS[4], 'offset'))
if event_type ~= '' then
  offset = next_offset(KEYS[1])
  redis.call('HSET', KEYS[4], 'offset', offset)
end
local id = redis.call('HGET', KEYS[4], 'id')
local created_ms = redis.call('HGET', KEYS[4], 'createdMs')
if is_public then redis.call('ZADD', KEYS[3], created_ms, id) else redis.call('ZREM', KEYS[3], id) end
if event_type ~= '' then count_visible(KEYS[1], redis.call('HGET', KEYS[4], 'authorId'), is_public and 1 or -1) end
if target == 'pending' then
  redis.call('ZADD', KEYS[5], created_ms, id)
  redis.call('ZADD', KEYS[6], created_ms, id)
else
  redis.call('ZREM', KEYS[5], id)
  redis.call('ZREM', KEYS[6], id)
end
local json = comment_json(KEYS[4], ARGV[1], offset, false)
redis.call('HSET', KEYS[4], 'json', json)
if event_type ~= '' then
  emit_event(KEYS[2], {ARGV[6], ARGV[7], ARGV[8]}, ARGV[1], epoch, offset, event_type, id,
    comment_json(KEYS[4], ARGV[1], offset, true), ARGV[4], ARGV[5])
end

return {'ok', offset, epoch, json, event_type, current}
