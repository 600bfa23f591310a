-- Admits one more open socket for a user or a client IP, across all servers.
-- Each entry expires unless its server keeps refreshing it, so sockets of a
-- crashed server stop counting within the TTL.
--
-- KEYS[1] open sockets (zset: socket id -> expiry time in ms)
-- ARGV[1] socket id   ARGV[2] now (ms)   ARGV[3] ttl (ms)   ARGV[4] most sockets allowed
--
-- Returns 1 (admitted) or 0 (at the limit)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
