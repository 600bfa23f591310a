-- Records a signed-in user on first sight and keeps their handle, name and
-- role current. Handles are unique case-insensitively: a handle held by
-- another user id is refused, and a user who changes handle frees the old one.
--
-- KEYS[1] user record (hash)   KEYS[2] handle -> user id (hash)   KEYS[3] handles for prefix search (zset)
--
-- ARGV[1] user id   ARGV[2] handle   ARGV[3] handle lower-cased   ARGV[4] name
-- ARGV[5] role      ARGV[6] email or ''   ARGV[7] now (ISO)
--
-- Returns {'ok', createdAt}  or  {'err', 'handle_taken'}

local owner = redis.call('HGET', KEYS[2], ARGV[3])
if owner and owner ~= ARGV[1] then return {'err', 'handle_taken'} end

local old = redis.call('HGET', KEYS[1], 'handleLower')
if old and old ~= ARGV[3] then
  redis.call('HDEL', KEYS[2], old)
  redis.call('ZREM', KEYS[3], old)
end
if not owner then
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[3], 0, ARGV[3])
end

local created = redis.call('HGET', KEYS[1], 'createdAt')
if not created then created = ARGV[7] end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'handle', ARGV[2], 'handleLower', ARGV[3], 'name', ARGV[4],
  'role', ARGV[5], 'email', ARGV[6], 'createdAt', created, 'updatedAt', ARGV[7])
return {'ok', created}
