-- Puts a notification in a user's inbox once: the notification id is derived
-- from comment x recipient x kind, so a job that runs twice (a retry, a worker
-- that died mid-job) finds it there and changes nothing.
--
-- KEYS[1] inbox (zset)   KEYS[2] records (hash)   KEYS[3] unread (set)   KEYS[4] sequence (string)
-- ARGV[1] notification id   ARGV[2] notification JSON   ARGV[3] most notifications kept
--
-- Returns {created (1|0), unread count}

if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  return {0, redis.call('SCARD', KEYS[3])}
end
local seq = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])

-- Keep the newest ARGV[3]; the oldest go, read or not.
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
  redis.call('HDEL', KEYS[2], unpack(old))
  redis.call('SREM', KEYS[3], unpack(old))
end
return {1, redis.call('SCARD', KEYS[3])}
