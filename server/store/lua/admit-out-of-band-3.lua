-- Decides whether a notification goes out by email/webhook now or is folded
-- into the digest sent when the recipient's window ends: at most ARGV[2]
-- messages per window of ARGV[3] ms. The decision is recorded (for a day), so
-- a job that runs twice decides the same way and is not counted twice.
--
-- KEYS[1] window (hash: count, endsAt)
-- KEYS[2] decisions (zset: '<send|digest>:<notification id>' -> when decided, ms; older than a day pruned)
-- KEYS[3] digest (list of '<window end ms>:<notification id>', so each digest takes only its own window's)
-- ARGV[1] notification id   ARGV[2] max per window   ARGV[3] window (ms)   ARGV[4] now (ms)
--
-- Returns {decision ('send' | 'digest'), window end (ms), first (1 if this call decided)}

local DAY_MS = 86400000
local ends = tonumber(redis.call('HGET', KEYS[1], 'endsAt') or '0')
for _, earlier in ipairs({'send', 'digest'}) do
  if redis.call('ZSCORE', KEYS[2], earlier .. ':' .. ARGV[1]) then return {earlier, ends, 0} end
end

local now = tonumber(ARGV[4])
local window = tonumber(ARGV[3])
if now >= ends then
  ends = now + window
  redis.call('HSET', KEYS[1], 'count', 0, 'endsAt', ends)
  redis.call('PEXPIRE', KEYS[1], window * 2)
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local decision = 'send'
if count > tonumber(ARGV[2]) then
  decision = 'digest'
  redis.call('RPUSH', KEYS[3], ends .. ':' .. ARGV[1])
  redis.call('PEXPIRE', KEYS[3], window * 4)
end
redis.call('ZADD', KEYS[2], now, decision .. ':' .. ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - DAY_MS)
redis.call('PEXPIRE', KEYS[2], DAY_MS)
return {decision, ends, 1}
