-- Takes a user out of the display-name index, so a look-alike of their name
-- is no longer refused. Account erasure calls it before deleting the record
-- (the record's nameKey names the member to remove).
--
-- KEYS[1] user record (hash)   KEYS[2] name index (zset)
--
-- ARGV[1] user id
--
-- Returns 1 if an entry was removed, else 0.

local nameKey = redis.call('HGET', KEYS[1], 'nameKey')
if not nameKey then return 0 end
redis.call('HDEL', KEYS[1], 'nameKey')
return redis.call('ZREM', KEYS[2], nameKey .. '\0' .. ARGV[1])
