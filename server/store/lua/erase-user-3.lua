-- Erases a user's record and frees their handle, in one step so the handle
-- index never points at a record that is gone. The handle entries are removed
-- only while they still name this user (someone may hold the handle by now).
-- Running it again changes nothing.
--
-- KEYS[1] user record (hash)   KEYS[2] handle -> user id (hash)   KEYS[3] handles for prefix search (zset)
--
-- ARGV[1] user id
--
-- Returns 1 if a record was erased, 0 if there was none

local handle = redis.call('HGET', KEYS[1], 'handleLower')
if handle and redis.call('HGET', KEYS[2], handle) == ARGV[1] then
  redis.call('HDEL', KEYS[2], handle)
  redis.call('ZREM', KEYS[3], handle)
end
return redis.call('DEL', KEYS[1])
