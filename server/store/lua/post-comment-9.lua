-- Stores a new comment, appends `comment.created` to the thread's log and
-- publishes it live, in one step: offset, log entry, comment record, indexes,
-- idempotency key and live event happen together or not at all. A comment
-- stored as pending (held by automatic moderation) gets no offset and no
-- public event; it waits in the thread's pending set.
--
-- KEYS[1] thread meta (hash)          KEYS[2] thread log (stream)
-- KEYS[3] visible comments (zset)     KEYS[4] participants (zset)
-- KEYS[5] the new comment (hash)      KEYS[6] idempotency key (string)
-- KEYS[7] parent comment (hash; the same as KEYS[5] when there is no parent)
-- KEYS[8] pending comments (zset)   KEYS[9] the author's pending comments here (zset)
--
-- ARGV[1] thread id        ARGV[2] comment id       ARGV[3] parent id or ''
-- ARGV[4] author id        ARGV[5] author handle    ARGV[6] author name
-- ARGV[7] body             ARGV[8] mentions (JSON)  ARGV[9] status: visible | pending
-- ARGV[10] epoch to use if the thread is new          ARGV[11] log max events
-- ARGV[12] log ttl (s)     ARGV[13] idempotency ttl (s); 0 = no clientId
-- ARGV[14..16] live channel, message prefix, message suffix (see lib/thread.lua emit_event)
-- ARGV[17] moderation record (JSON) or ''   ARGV[18] '1' = may post in a locked thread (moderators)
-- ARGV[19] how many commenters the participants index keeps (the most recent)
-- ARGV[20] creation time in ms for an import (the demo seed), or '' for Redis's clock
--
-- createdAt comes from Redis's clock (see next_created_ms); comments are
-- ordered by it (the visible set's score), so one approved later still
-- appears where it was written.
--
-- Returns {'ok', offset, epoch, json}  stored (offset 0 when pending: nothing public happened)
--         {'dup', commentId}            this clientId was already used; nothing written
--         {'err', reason}               nothing written: thread_locked | parent_not_found | id_taken

-- @include thread

local idem_ttl = tonumber(ARGV[13])
if idem_ttl > 0 then
  local existing = redis.call('GET', KEYS[6])
  if existing then return {'dup', existing} end
end

-- The meta hash read once (lock, epoch, last creation time), not once per helper.
local meta = redis.call('HMGET', KEYS[1], 'locked', 'epoch', 'lastCreatedMs')
if ARGV[18] ~= '1' and meta[1] == '1' then return {'err', 'thread_locked'} end

if ARGV[3] ~= '' and redis.call('HGET', KEYS[7], 'status') ~= 'visible' then
  return {'err', 'parent_not_found'}
end

if redis.call('EXISTS', KEYS[5]) == 1 then return {'err', 'id_taken'} end

local epoch = meta[2]
local now = tonumber(ARGV[20])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
if not epoch then
  epoch = ARGV[10]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0, 'createdAt', iso_utc(now))
end
-- Strictly later than the thread's previous comment (see next_created_ms in lib/thread.lua).
local created_ms = now
local last = tonumber(meta[3] or '0')
if created_ms <= last then created_ms = last + 1 end
redis.call('HSET', KEYS[1], 'lastCreatedMs', created_ms)
local status = ARGV[9]
local offset = 0
if status == 'visible' then offset = next_offset(KEYS[1]) end

-- The full form of comment_json (lib/thread.lua), built from what we are storing rather than read back.
local created_at = iso_utc(created_ms)
local parent = 'null'
if ARGV[3] ~= '' then parent = cjson.encode(ARGV[3]) end
local json = '{"id":' .. cjson.encode(ARGV[2]) ..
  ',"threadId":' .. cjson.encode(ARGV[1]) ..
  ',"parentId":' .. parent ..
  ',"author":{"id":' .. cjson.encode(ARGV[4]) .. ',"handle":' .. cjson.encode(ARGV[5]) .. ',"name":' .. cjson.encode(ARGV[6]) .. '}' ..
  ',"body":' .. cjson.encode(ARGV[7]) ..
  ',"mentions":' .. ARGV[8] ..
  ',"status":' .. cjson.encode(status) ..
  ',"createdAt":' .. cjson.encode(created_at) ..
  ',"editedAt":null,"featured":false,"offset":' .. offset .. '}'

local fields = {'id', ARGV[2], 'parentId', ARGV[3],
  'authorId', ARGV[4], 'authorHandle', ARGV[5], 'authorName', ARGV[6],
  'body', ARGV[7], 'mentions', ARGV[8], 'status', status,
  'createdAt', created_at, 'createdMs', created_ms, 'editedAt', '', 'edits', 0,
  'featured', '0', 'offset', offset, 'json', json}
if ARGV[17] ~= '' then
  table.insert(fields, 'moderation')
  table.insert(fields, ARGV[17])
end
redis.call('HSET', KEYS[5], unpack(fields))

-- Trimmed only when it grew: a commenter already listed just moves up.
if redis.call('ZADD', KEYS[4], created_ms, ARGV[4]) == 1 then
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -(tonumber(ARGV[19]) + 1))
end
if status == 'visible' then
  redis.call('ZADD', KEYS[3], created_ms, ARGV[2])
  count_visible(KEYS[1], ARGV[4], 1)
  emit_event(KEYS[2], {ARGV[14], ARGV[15], ARGV[16]}, ARGV[1], epoch, offset, 'comment.created', ARGV[2], json, ARGV[11], ARGV[12])
else
  redis.call('ZADD', KEYS[8], created_ms, ARGV[2])
  redis.call('ZADD', KEYS[9], created_ms, ARGV[2])
end
if idem_ttl > 0 then redis.call('SET', KEYS[6], ARGV[2], 'EX', idem_ttl) end

return {'ok', offset, epoch, json}
