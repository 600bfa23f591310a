-- Claims a moderation item for one moderator, or reports who holds it.
-- One script because "set if free, else read the holder, else renew my own"
-- as separate commands let a claim that expired in between be overwritten
-- by (or hand the item to) two moderators at once.
--
-- KEYS[1] claim (string: JSON {id, handle, until}, expires with the claim)
-- ARGV[1] moderator id   ARGV[2] claim JSON to store   ARGV[3] duration (ms)
--
-- Returns {holder JSON}: ARGV[2] when the claim is (now) the caller's,
-- otherwise the other moderator's claim, untouched.

local current = redis.call('GET', KEYS[1])
if current then
  local ok, holder = pcall(cjson.decode, current)
  if ok and type(holder) == 'table' and holder.id ~= ARGV[1] then return { current } end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return { ARGV[2] }
