-- Takes a thread off the outbox sweep's list, unless a write has listed it
-- again since the sweep read it (its score moved): that write's outbox entry
-- may not be visible yet, and dropping the thread would hide it.
--
-- KEYS[1] threads with outbox work (zset: thread id -> last listed at, ms)
-- ARGV[1] thread id   ARGV[2] the score the sweep read
--
-- Returns 1 when removed

local listed = redis.call('ZSCORE', KEYS[1], ARGV[1])
if listed and tonumber(listed) == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
