-- Remembers that something happened (a text was posted, a user was
-- mentioned) and returns everything remembered within the window, so a
-- screening rule can count it. Recording the same member twice keeps the
-- first time: a re-run job does not count twice.
--
-- KEYS[1] occurrences (zset: member -> first time in ms)
-- ARGV[1] member   ARGV[2] now (ms)   ARGV[3] window (ms)
--
-- Returns the members seen within the window, oldest first

redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZRANGE', KEYS[1], 0, -1)
