-- Helpers shared by the scripts that change a thread; the loader pastes this
-- file where a script says `-- @include thread`.

-- Milliseconds since the epoch -> "2026-11-28T14:40:30.123Z" (UTC), by the
-- civil-from-days algorithm; Redis's Lua has no date library.
local function iso_utc(ms)
  local secs = math.floor(ms / 1000)
  local millis = ms - secs * 1000
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp + 3
  if mp >= 10 then m = mp - 9 end
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d,
    math.floor(rem / 3600), math.floor(rem % 3600 / 60), rem % 60, millis)
end

-- A creation time from Redis's clock that is strictly later than the thread's
-- previous one, so sorting a thread's comments by createdAt gives the order
-- they were stored in, whichever server took them. `wanted_ms` (optional) is
-- used instead of the clock: an import's own times, still strictly increasing.
local function next_created_ms(meta_key, wanted_ms)
  local now = wanted_ms
  if not now then
    local t = redis.call('TIME')
    now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  local last = tonumber(redis.call('HGET', meta_key, 'lastCreatedMs') or '0')
  if now <= last then now = last + 1 end
  redis.call('HSET', meta_key, 'lastCreatedMs', now)
  return now
end

-- Creates the thread's meta hash on first use. The epoch is a random id made
-- with the log: if the meta (and so the log) is ever lost, the next write
-- makes a new epoch and clients holding the old one know to reload.
local function ensure_thread(meta_key, epoch_candidate)
  local epoch = redis.call('HGET', meta_key, 'epoch')
  if not epoch then
    epoch = epoch_candidate
    local t = redis.call('TIME')
    redis.call('HSET', meta_key, 'epoch', epoch, 'offset', 0,
      'createdAt', iso_utc(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)))
  end
  return epoch
end

-- What readers get for a comment they may not see (deleted, removed, or
-- pending: held): its place in the thread and nothing of its content or
-- author. The strings are the hash's fields, unencoded.
local function tombstone_json(id, thread_id, parent_id, status, created_at, offset)
  local parent = 'null'
  if parent_id and parent_id ~= '' then parent = cjson.encode(parent_id) end
  return '{"id":' .. cjson.encode(id) .. ',"threadId":' .. cjson.encode(thread_id) .. ',"parentId":' .. parent ..
    ',"author":null,"body":"","mentions":[],"status":' .. cjson.encode(status) ..
    ',"createdAt":' .. cjson.encode(created_at) .. ',"editedAt":null,"featured":false,"offset":' .. offset .. '}'
end

-- The JSON of a comment, built from its hash, in one of two forms:
--  * the full form (its author and moderators), kept in the hash's `json`
--    field: removed and deleted comments keep their place and author but
--    lose body and mentions;
--  * with `for_readers`, the public form: the same for a visible comment, a
--    tombstone (above) for any other, so no reader learns who wrote what was
--    taken down.
-- JSON is assembled by hand because cjson would turn an empty mentions
-- array into {}.
local function comment_json(comment_key, thread_id, offset, for_readers)
  local f = redis.call('HMGET', comment_key, 'id', 'parentId', 'authorId', 'authorHandle', 'authorName',
    'body', 'mentions', 'status', 'createdAt', 'editedAt', 'featured')
  local status = f[8]
  if for_readers and status ~= 'visible' then
    return tombstone_json(f[1], thread_id, f[2], status, f[9], offset)
  end
  local body, mentions = f[6], f[7]
  if status == 'removed' or status == 'deleted' then
    body = ''
    mentions = '[]'
  end
  local parent = 'null'
  if f[2] ~= '' then parent = cjson.encode(f[2]) end
  local edited = 'null'
  if f[10] ~= '' then edited = cjson.encode(f[10]) end
  return '{"id":' .. cjson.encode(f[1]) ..
    ',"threadId":' .. cjson.encode(thread_id) ..
    ',"parentId":' .. parent ..
    ',"author":{"id":' .. cjson.encode(f[3]) .. ',"handle":' .. cjson.encode(f[4]) .. ',"name":' .. cjson.encode(f[5]) .. '}' ..
    ',"body":' .. cjson.encode(body) ..
    ',"mentions":' .. mentions ..
    ',"status":' .. cjson.encode(status) ..
    ',"createdAt":' .. cjson.encode(f[9]) ..
    ',"editedAt":' .. edited ..
    ',"featured":' .. ((f[11] == '1') and 'true' or 'false') ..
    ',"offset":' .. offset .. '}'
end

-- Visible comments per author in this thread, kept in the thread's meta hash
-- (field `v:<authorId>`): mention autocomplete offers a thread's participants
-- only while they have a comment readers can see there.
local function count_visible(meta_key, author_id, delta)
  local field = 'v:' .. author_id
  if redis.call('HINCRBY', meta_key, field, delta) <= 0 then redis.call('HDEL', meta_key, field) end
end

local function next_offset(meta_key)
  return redis.call('HINCRBY', meta_key, 'offset', 1)
end

-- Appends one event to the thread's log and publishes it live, in the same
-- step as the change it describes: readers never see an event that was not
-- stored, a stored event is never left unpublished by a crash, and Redis runs
-- scripts one at a time, so events go out in offset order.
--
-- The log entry id is `<offset>-0`, so recovery is an XRANGE from the
-- client's offset. An entry holds the event type and the comment's id, never
-- its text: recovery renders each comment as it is when it is read (see
-- recover-events-2.lua), so a comment deleted, removed, held or edited since
-- cannot come back from the log. The log keeps at least `max_events` entries
-- and expires when the thread has been idle for `ttl` seconds (the meta, with
-- epoch and offset, stays). `live` is {channel, prefix, suffix}: the
-- Socket.IO adapter message is prefix .. event JSON .. suffix (see
-- realtime/adapter-protocol.ts).
local function emit_event(log_key, live, thread_id, epoch, offset, event_type, comment_id, json, max_events, ttl)
  redis.call('XADD', log_key, 'MAXLEN', '~', max_events, offset .. '-0', 'type', event_type, 'id', comment_id)
  redis.call('EXPIRE', log_key, ttl)
  local event = '{"threadId":' .. cjson.encode(thread_id) .. ',"offset":' .. offset ..
    ',"epoch":' .. cjson.encode(epoch) .. ',"type":"' .. event_type .. '","comment":' .. json .. '}'
  redis.call('SPUBLISH', live[1], live[2] .. event .. live[3])
end

-- After a comment's content changed in place (edit, featuring): readers see
-- `comment.updated` at the next offset when the comment is public; otherwise
-- only the stored JSON changes. Returns offset, epoch and the new JSON.
local function publish_update(meta_key, log_key, comment_key, thread_id, status, live, max_events, ttl)
  local epoch = redis.call('HGET', meta_key, 'epoch') or ''
  local offset = tonumber(redis.call('HGET', comment_key, 'offset'))
  if status == 'visible' then
    offset = next_offset(meta_key)
    redis.call('HSET', comment_key, 'offset', offset)
  end
  local json = comment_json(comment_key, thread_id, offset, false)
  redis.call('HSET', comment_key, 'json', json)
  if status == 'visible' then
    emit_event(log_key, live, thread_id, epoch, offset, 'comment.updated', redis.call('HGET', comment_key, 'id'), json, max_events, ttl)
  end
  return offset, epoch, json
end
